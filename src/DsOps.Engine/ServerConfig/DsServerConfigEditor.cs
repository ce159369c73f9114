using System.Text;
using System.Text.RegularExpressions;

namespace DsOps.Engine.ServerConfig;

/// <summary>A requested value: role, key (yaml key, -Xms/-Xmx/-Xmn, or an exported variable) and new value.</summary>
public sealed record DsConfigChange(ServerConfigRole Role, string Key, string Value, string? Reason = null);

/// <summary>Anything that can be applied as a config change (tuning advice, a failed desired-state test).</summary>
public interface IDsConfigChangeSource
{
    /// <summary>The DS_HOME (or folder or file) the change is for; null when the caller passes -Path.</summary>
    string? Path { get; }
    ServerConfigRole Role { get; }
    string Key { get; }
    /// <summary>The value to write.</summary>
    string? Value { get; }
    /// <summary>False for advice that keeps the current value, warnings and tests that passed.</summary>
    bool IsChange { get; }
}

/// <summary>One value that an edit changes (secrets masked).</summary>
public sealed class DsConfigValueChange
{
    public required ServerConfigRole Role { get; init; }
    public required string Key { get; init; }
    public required string OldValue { get; init; }
    public required string NewValue { get; init; }
    public required string File { get; init; }
    public required int Line { get; init; }
    public string? Reason { get; init; }
    public override string ToString() => $"{Role} {Key}: {OldValue} -> {NewValue} ({System.IO.Path.GetFileName(File)}:{Line})";
}

/// <summary>The edits of one file: the bytes before and after, and a unified diff (secret values masked).</summary>
public sealed class DsConfigFileEdit
{
    internal DsConfigFileEdit(string path, byte[] before, byte[] after, IReadOnlyList<DsConfigValueChange> changes, string diff)
    {
        Path = path;
        Before = before;
        After = after;
        Changes = changes;
        Diff = diff;
    }

    public string Path { get; }
    public IReadOnlyList<DsConfigValueChange> Changes { get; }
    public string Diff { get; }
    internal byte[] Before { get; }
    internal byte[] After { get; }
    /// <summary>The new file content (for tests; not public, as it holds the file's secrets too).</summary>
    internal ReadOnlyMemory<byte> NewContent => After;
}

/// <summary>What Set-DsServerConfig will write: per file, the value changes and a diff.</summary>
public sealed class DsConfigEditPlan
{
    internal DsConfigEditPlan(IReadOnlyList<DsConfigFileEdit> files, IReadOnlyList<DsConfigChange> unchanged)
    {
        Files = files;
        Unchanged = unchanged;
    }

    public IReadOnlyList<DsConfigFileEdit> Files { get; }
    /// <summary>Requested values that are already set.</summary>
    public IReadOnlyList<DsConfigChange> Unchanged { get; }
    public IReadOnlyList<DsConfigValueChange> Changes => Files.SelectMany(f => f.Changes).ToList();
    public string Diff => string.Concat(Files.Select(f => f.Diff));
}

/// <summary>A file written by <see cref="DsServerConfigEditor.Apply"/> and where its previous content was kept.</summary>
public sealed class DsConfigWriteResult
{
    public required string Path { get; init; }
    public string? BackupPath { get; init; }
    public required IReadOnlyList<DsConfigValueChange> Changes { get; init; }
    public override string ToString() => $"{Path} ({Changes.Count} value(s); backup {BackupPath ?? "none"})";
}

/// <summary>
/// Surgical edits of DS config files: each change replaces the characters of one value in the text as read, so every other byte
/// (comments, indentation, quotes, line ends, byte order mark) is kept. Refuses keys the version does not read, values outside the
/// key's range, keys absent from the files, and heap sizes that contradict each other; errors name the key and the file.
/// </summary>
internal static partial class DsServerConfigEditor
{
    public static DsConfigEditPlan Plan(DsServerConfig config, IEnumerable<DsConfigChange> changes)
    {
        var perFile = new Dictionary<ConfigSourceFile, List<(ConfigEntry Entry, string Text, DsConfigValueChange Change)>>();
        var unchanged = new List<DsConfigChange>();
        var byRole = changes.GroupBy(c => c.Role);
        foreach (var group in byRole)
        {
            var role = config.Role(group.Key) ?? throw new DsOpsException(DsErrorKind.NotFound, "DsConfigRoleNotFound",
                $"No {group.Key} config was found under '{config.Path}' (found: {string.Join(", ", config.Roles.Select(r => r.Role))}).");
            var heap = new Dictionary<string, long?>
            {
                ["-Xms"] = role.Heap.InitialMB, ["-Xmx"] = role.Heap.MaxMB, ["-Xmn"] = role.Heap.YoungMB,
            };
            foreach (var change in group)
            {
                var key = ServerConfigKeyNames.Normalize(change.Key);
                var value = change.Value.Trim();
                var targets = Targets(config, role, key, value);
                if (ServerConfigKeyNames.IsHeapOption(key)) heap[key] = ServerConfigKeyNames.ParseJvmSizeMegabytes(value);
                var changedAny = false;
                foreach (var setting in targets)
                {
                    var rendered = setting.SourceFile.Render(setting.Entry, value);
                    var current = setting.SourceFile.Text.Substring(setting.Entry.Start, setting.Entry.Length);
                    if (current == rendered) continue;
                    if (!perFile.TryGetValue(setting.SourceFile, out var list)) perFile[setting.SourceFile] = list = new();
                    if (list.Any(e => e.Entry == setting.Entry))
                        throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigDuplicateChange",
                            $"'{key}' of the {role.Role} is set twice in one call ({setting.Location}).");
                    var secret = setting.IsSecret;
                    list.Add((setting.Entry, rendered, new DsConfigValueChange
                    {
                        Role = role.Role,
                        Key = setting.Key,
                        OldValue = secret ? ServerConfigKeyNames.SecretMask : setting.Entry.Value,
                        NewValue = secret ? ServerConfigKeyNames.SecretMask : value,
                        File = setting.File,
                        Line = setting.Line,
                        Reason = change.Reason,
                    }));
                    changedAny = true;
                }
                if (!changedAny) unchanged.Add(change);
            }
            CheckHeap(role, heap);
        }

        var edits = new List<DsConfigFileEdit>();
        foreach (var (file, list) in perFile.OrderBy(p => p.Key.Path, StringComparer.Ordinal))
        {
            var text = new StringBuilder(file.Text);
            foreach (var (entry, rendered, _) in list.OrderByDescending(e => e.Entry.Start))
            {
                text.Remove(entry.Start, entry.Length);
                text.Insert(entry.Start, rendered);
            }
            var after = text.ToString();
            var before = ConfigSourceFile.Encode(file.Text, file.HasByteOrderMark);
            edits.Add(new DsConfigFileEdit(file.Path, before, ConfigSourceFile.Encode(after, file.HasByteOrderMark),
                list.Select(e => e.Change).OrderBy(c => c.Line).ToList(), UnifiedDiff(file.Path, file.Text, after)));
        }
        return new DsConfigEditPlan(edits, unchanged);
    }

    /// <summary>The settings a change must rewrite: the value DS uses and, when an exported variable overrides a yaml key, that variable too.</summary>
    private static List<DsConfigSetting> Targets(DsServerConfig config, DsRoleConfig role, string key, string value)
    {
        var info = config.Dialect.ServerConfigKey(role.Role, key);
        var setting = role.Find(key);
        var where = setting?.File ?? role.Files.FirstOrDefault() ?? config.Path;
        if (info?.Status == ConfigKeyStatus.NoOp)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigKeyNoOp",
                $"'{key}' ({where}) is a no-op on DS {config.Version}: {info.Note} Refused.");
        if (info?.Status == ConfigKeyStatus.Ignored)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigKeyIgnored",
                $"DS {config.Version} does not read '{key}' ({where})" + (info.ReplacedBy is null ? "." : $"; it reads {info.ReplacedBy}.") + " Refused.");
        if (setting is null)
        {
            if (info is null)
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigKeyUnknown",
                    $"'{key}' is neither a {role.Role} key DsOps knows on DS {config.Version} nor present in {string.Join(", ", role.Files)}.");
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigKeyAbsent",
                $"'{key}' is not set in {string.Join(", ", role.Files)}; DsOps changes values in place and does not add keys. " +
                $"Add '{key}' to the file by hand (DS's default: {info.DefaultValue ?? "none"}), then run again.");
        }
        if (!setting.Entry.Editable)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigValueNotEditable",
                $"'{key}' at {setting.File}:{setting.Line} is a block scalar, alias or empty value; edit it by hand.");
        if (setting.Status == ConfigKeyStatus.Ignored)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigKeyIgnored", $"'{key}' at {setting.File}:{setting.Line} is not used: {setting.Note} Refused.");
        var reason = info?.Validate(value);
        if (reason is not null)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigValueOutOfRange",
                $"'{key}' for the {role.Role} ({setting.File}:{setting.Line}): {reason}.");
        var targets = new List<DsConfigSetting> { setting };
        if (setting.OverriddenBy is not null)
        {
            var env = role.Settings.Last(s => s.Source == ConfigFileKind.EnvScript && ServerConfigKeyNames.EnvironmentNameMatches(s.Key, setting.Key));
            if (env.Entry.Value.Contains('$'))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigValueNotEditable",
                    $"'{key}' is overridden by {env.Key} at {env.File}:{env.Line}, whose value is an expression; edit it by hand.");
            targets.Add(env);
        }
        return targets;
    }

    private static void CheckHeap(DsRoleConfig role, Dictionary<string, long?> heap)
    {
        long? xms = heap["-Xms"], xmx = heap["-Xmx"], xmn = heap["-Xmn"];
        var file = role.Heap.MaxSource?.File ?? role.Directory;
        if (xmx is not null && xms is not null && xms > xmx)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigHeapInconsistent",
                $"The {role.Role}'s -Xms ({xms} MB) would exceed its -Xmx ({xmx} MB) in {file}; change both together.");
        if (xmx is not null && xmn is not null && xmn >= xmx)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigHeapInconsistent",
                $"The {role.Role}'s -Xmn ({xmn} MB) would not be below its -Xmx ({xmx} MB) in {file}; change both together.");
    }

    /// <summary>
    /// Writes each file: checks it still holds the bytes the plan was made from, keeps a copy (file.yyyyMMdd-HHmmss.bak)
    /// unless <paramref name="backup"/> is false, then replaces it atomically (keeping its permissions).
    /// </summary>
    public static IReadOnlyList<DsConfigWriteResult> Apply(DsConfigEditPlan plan, bool backup = true)
    {
        foreach (var edit in plan.Files) CheckUnchanged(edit);
        return plan.Files.Select(edit => ApplyFile(edit, backup)).ToList();
    }

    /// <summary>Writes one file of a plan (same checks, backup and atomic replace as <see cref="Apply"/>).</summary>
    public static DsConfigWriteResult ApplyFile(DsConfigFileEdit edit, bool backup = true)
    {
        CheckUnchanged(edit);
        string? backupPath = null;
        if (backup)
        {
            var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
            backupPath = $"{edit.Path}.{stamp}.bak";
            for (var n = 2; File.Exists(backupPath); n++) backupPath = $"{edit.Path}.{stamp}-{n}.bak";
            File.Copy(edit.Path, backupPath);
        }
        WriteAtomically(edit.Path, edit.After);
        return new DsConfigWriteResult { Path = edit.Path, BackupPath = backupPath, Changes = edit.Changes };
    }

    private static void CheckUnchanged(DsConfigFileEdit edit)
    {
        var now = File.ReadAllBytes(edit.Path);
        if (!now.AsSpan().SequenceEqual(edit.Before))
            throw new DsOpsException(DsErrorKind.InvalidState, "DsConfigFileChanged",
                $"'{edit.Path}' changed after it was read; nothing was written. Read the config again.");
    }

    // Through the one atomic write (unique temp name, flushed, permissions kept, renamed over the original).
    private static void WriteAtomically(string path, byte[] bytes) => IO.AtomicFile.Write(path, stream => stream.Write(bytes));

    // ---- unified diff (edits never add or remove lines, so old and new lines pair up one to one) ----

    [GeneratedRegex(@"^(\s*(?:export\s+)?)([A-Za-z0-9_.\-]+)(\s*[:=]\s*)(\S.*)$")]
    private static partial Regex KeyValueLine();

    private static string Redact(string line)
    {
        var m = KeyValueLine().Match(line);
        return m.Success && ServerConfigKeyNames.IsSecret(m.Groups[2].Value)
            ? m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value + ServerConfigKeyNames.SecretMask
            : line;
    }

    private static string[] SplitLines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    internal static string UnifiedDiff(string path, string before, string after, int context = 3)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        var changed = Enumerable.Range(0, Math.Min(a.Length, b.Length)).Where(i => a[i] != b[i]).ToList();
        if (changed.Count == 0) return "";
        var sb = new StringBuilder();
        sb.Append("--- ").Append(path).Append('\n').Append("+++ ").Append(path).Append('\n');
        var i = 0;
        while (i < changed.Count)
        {
            var start = Math.Max(0, changed[i] - context);
            var j = i;
            while (j + 1 < changed.Count && changed[j + 1] - changed[j] <= 2 * context) j++;
            var end = Math.Min(a.Length - 1, changed[j] + context);
            var count = end - start + 1;
            sb.Append($"@@ -{start + 1},{count} +{start + 1},{count} @@\n");
            for (var k = start; k <= end; k++)
            {
                if (a[k] == b[k]) sb.Append(' ').Append(Redact(a[k])).Append('\n');
                else sb.Append('-').Append(Redact(a[k])).Append('\n').Append('+').Append(Redact(b[k])).Append('\n');
            }
            i = j + 1;
        }
        return sb.ToString();
    }
}

using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DsOps.Engine.ServerConfig;

/// <summary>Which DS file a value comes from.</summary>
public enum ConfigFileKind
{
    /// <summary>&lt;role&gt;-server/conf/application.yaml</summary>
    ApplicationYaml,
    /// <summary>&lt;role&gt;-server/conf/bootstrap.yaml (3.1+)</summary>
    BootstrapYaml,
    /// <summary>&lt;role&gt;-server/bin/jvm_args_env.sh (3.2+): one JVM option per line.</summary>
    JvmArgs,
    /// <summary>&lt;role&gt;-server/bin/start.sh: the JAVA_OPTS default holds the heap before 3.2.</summary>
    StartScript,
    /// <summary>dolphinscheduler_env.sh: exported variables (Spring binds them over yaml keys).</summary>
    EnvScript,
}

/// <summary>How a value is written in its file; an edit keeps the same style.</summary>
internal enum ConfigValueQuote { None, Single, Double, Block }

/// <summary>One value in a config file: its key, text, and exact place (character span, 1-based line and column).</summary>
internal sealed record ConfigEntry(
    string Key, string Value, int Start, int Length, ConfigValueQuote Quote, int Line, int Column, string? Profile)
{
    /// <summary>Block scalars (| and &gt;) and aliases are shown but never edited.</summary>
    public bool Editable => Quote != ConfigValueQuote.Block && Length >= 0;
}

/// <summary>
/// A config file as read: its exact text (byte order mark noted) and the entries found in it.
/// YAML is read with YamlDotNet's event parser (no object is ever instantiated from it); shell files line by line.
/// Edits replace only the characters of one value, so everything else (comments, indentation, quotes, line ends) stays byte for byte.
/// </summary>
internal sealed partial class ConfigSourceFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ConfigSourceFile(string path, ConfigFileKind kind, string text, bool bom, IReadOnlyList<ConfigEntry> entries)
    {
        Path = path;
        Kind = kind;
        Text = text;
        HasByteOrderMark = bom;
        Entries = entries;
    }

    public string Path { get; }
    public ConfigFileKind Kind { get; }
    /// <summary>The raw entries, secrets unmasked: internal; callers get masked values through <see cref="DsConfigSetting"/>.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    internal string Text { get; }
    internal bool HasByteOrderMark { get; }

    /// <summary>Largest config file read (DS's are a few KB).</summary>
    public const int MaxBytes = 1024 * 1024;

    public static ConfigSourceFile Load(string path, ConfigFileKind kind)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        if (info.Length > MaxBytes)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigFileTooLarge", $"Config file '{path}' is {info.Length:N0} bytes; the limit is {MaxBytes:N0}.");
        return Parse(path, kind, File.ReadAllBytes(path));
    }

    public static ConfigSourceFile Parse(string path, ConfigFileKind kind, byte[] bytes)
    {
        var bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
        string text;
        try { text = Utf8.GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0)); }
        catch (DecoderFallbackException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigFileEncoding", $"Config file '{path}' is not UTF-8 text: {ex.Message}", ex);
        }
        var entries = kind switch
        {
            ConfigFileKind.ApplicationYaml or ConfigFileKind.BootstrapYaml => ReadYaml(path, text),
            ConfigFileKind.EnvScript => ReadEnv(text),
            ConfigFileKind.JvmArgs => ReadJvmArgs(text),
            _ => ReadStartScript(text),
        };
        return new ConfigSourceFile(path, kind, text, bom, entries);
    }

    /// <summary>The file's bytes with one more value replaced (byte order mark and every other byte as read).</summary>
    internal static byte[] Encode(string text, bool bom)
    {
        var body = Utf8.GetBytes(text);
        if (!bom) return body;
        var all = new byte[body.Length + 3];
        all[0] = 0xEF; all[1] = 0xBB; all[2] = 0xBF;
        body.CopyTo(all, 3);
        return all;
    }

    /// <summary>Writes <paramref name="value"/> in the entry's style (quotes kept); refuses values the style cannot hold safely.</summary>
    internal string Render(ConfigEntry entry, string value)
    {
        if (Kind is ConfigFileKind.ApplicationYaml or ConfigFileKind.BootstrapYaml)
        {
            return entry.Quote switch
            {
                // The span of a quoted value lies inside its quotes, which stay as they are.
                ConfigValueQuote.Single => value.Replace("'", "''"),
                ConfigValueQuote.Double => value.Replace("\\", "\\\\").Replace("\"", "\\\""),
                _ => PlainSafe().IsMatch(value) ? value : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
            };
        }
        if (!ShellSafe().IsMatch(value))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigValueInvalid",
                $"'{value}' cannot be written into the shell file '{Path}' (line {entry.Line}) safely; use letters, digits, '.', '-', '_', ':' or '/'.");
        return value;
    }

    // Values that YAML reads back as the same plain scalar text (no indicators, no ': ' or ' #').
    [GeneratedRegex(@"^[A-Za-z0-9_./+-][A-Za-z0-9_./+:,=@%-]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^[A-Za-z0-9_./:+=,@%-]+$")]
    private static partial Regex ShellSafe();

    // ---- YAML (event parser; keys joined with '.', sequence items as key[i]) ----

    private sealed class Frame
    {
        public required string Path;
        public bool IsMapping;
        public string? PendingKey;
        public int Index;
    }

    private static List<ConfigEntry> ReadYaml(string path, string text)
    {
        var entries = new List<ConfigEntry>();
        try
        {
            var parser = new Parser(new StringReader(text));
            var stack = new Stack<Frame>();
            var docStart = 0;
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                switch (ev)
                {
                    case DocumentStart:
                        stack.Clear();
                        docStart = entries.Count;
                        break;
                    case DocumentEnd:
                        var profile = entries.Skip(docStart).FirstOrDefault(e => e.Key is "spring.config.activate.on-profile" or "spring.profiles")?.Value;
                        if (profile is not null)
                            for (var i = docStart; i < entries.Count; i++) entries[i] = entries[i] with { Profile = profile };
                        break;
                    case MappingStart:
                    case SequenceStart:
                        var at = ChildPath(stack);
                        if (at is null && stack.Count > 0) throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigYamlUnsupported",
                            $"'{path}' line {ev.Start.Line}: complex mapping keys are not supported.");
                        stack.Push(new Frame { Path = at ?? "", IsMapping = ev is MappingStart });
                        break;
                    case MappingEnd:
                    case SequenceEnd:
                        stack.Pop();
                        Advance(stack);
                        break;
                    case Scalar s:
                        if (stack.Count > 0 && stack.Peek() is { IsMapping: true, PendingKey: null } keyFrame)
                        {
                            keyFrame.PendingKey = s.Value;
                            break;
                        }
                        var key = ChildPath(stack) ?? "";
                        var quote = s.Style switch
                        {
                            ScalarStyle.SingleQuoted => ConfigValueQuote.Single,
                            ScalarStyle.DoubleQuoted => ConfigValueQuote.Double,
                            ScalarStyle.Literal or ScalarStyle.Folded => ConfigValueQuote.Block,
                            _ => ConfigValueQuote.None,
                        };
                        int start = (int)s.Start.Index, end = (int)s.End.Index;
                        if (quote is ConfigValueQuote.Single or ConfigValueQuote.Double) { start++; end--; }
                        // An empty plain value ("key:") has no characters to replace.
                        var length = quote == ConfigValueQuote.None && s.Value.Length == 0 ? -1 : end - start;
                        entries.Add(new ConfigEntry(key, s.Value, start, length, quote, (int)s.Start.Line, (int)s.Start.Column, null));
                        Advance(stack);
                        break;
                    case AnchorAlias alias:
                        entries.Add(new ConfigEntry(ChildPath(stack) ?? "", "*" + alias.Value.Value, (int)alias.Start.Index, -1,
                            ConfigValueQuote.Block, (int)alias.Start.Line, (int)alias.Start.Column, null));
                        Advance(stack);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsConfigYamlSyntax",
                $"'{path}' line {ex.Start.Line}, column {ex.Start.Column}: YAML syntax error: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        return entries;
    }

    private static string? ChildPath(Stack<Frame> stack)
    {
        if (stack.Count == 0) return null;
        var top = stack.Peek();
        if (top.IsMapping)
            return top.PendingKey is null ? null : top.Path.Length == 0 ? top.PendingKey : top.Path + "." + top.PendingKey;
        return $"{top.Path}[{top.Index}]";
    }

    private static void Advance(Stack<Frame> stack)
    {
        if (stack.Count == 0) return;
        var top = stack.Peek();
        if (top.IsMapping) top.PendingKey = null;
        else top.Index++;
    }

    // ---- shell files ----

    [GeneratedRegex(@"-Xm([sxn])(\d+[kKmMgGtT]?)(?=[\s""']|$)")]
    private static partial Regex HeapOption();

    [GeneratedRegex(@"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex Assignment();

    private static IEnumerable<(int Start, int End, int LineNo)> Lines(string text)
    {
        int pos = 0, no = 1;
        while (pos <= text.Length)
        {
            var nl = text.IndexOf('\n', pos);
            var end = nl < 0 ? text.Length : nl;
            var contentEnd = end > pos && text[end - 1] == '\r' ? end - 1 : end;
            yield return (pos, contentEnd, no);
            if (nl < 0) yield break;
            pos = nl + 1;
            no++;
        }
    }

    private static IEnumerable<ConfigEntry> HeapEntries(string text, int from, int to, int lineNo, int lineStart)
    {
        foreach (Match m in HeapOption().Matches(text[from..to]))
        {
            var g = m.Groups[2];
            yield return new ConfigEntry("-Xm" + m.Groups[1].Value, g.Value, from + g.Index, g.Length, ConfigValueQuote.None,
                lineNo, from + g.Index - lineStart + 1, null);
        }
    }

    private static List<ConfigEntry> ReadJvmArgs(string text)
    {
        // start.sh reads the file with `read line` (blanks trimmed) and keeps lines starting with '-'.
        var entries = new List<ConfigEntry>();
        foreach (var (s, e, no) in Lines(text))
        {
            if (!text[s..e].TrimStart().StartsWith('-')) continue;
            entries.AddRange(HeapEntries(text, s, e, no, s));
        }
        return entries;
    }

    private static List<ConfigEntry> ReadStartScript(string text)
    {
        // Before 3.2: JAVA_OPTS=${JAVA_OPTS:-"-server ... -Xms4g -Xmx4g -Xmn2g ..."}
        var entries = new List<ConfigEntry>();
        foreach (var (s, e, no) in Lines(text))
        {
            var line = text[s..e];
            if (line.TrimStart().StartsWith('#') || !line.Contains("JAVA_OPTS=${JAVA_OPTS:-", StringComparison.Ordinal)) continue;
            entries.AddRange(HeapEntries(text, s, e, no, s));
        }
        return entries;
    }

    private static List<ConfigEntry> ReadEnv(string text)
    {
        var entries = new List<ConfigEntry>();
        foreach (var (s, e, no) in Lines(text))
        {
            var m = Assignment().Match(text[s..e]);
            if (!m.Success) continue;
            var name = m.Groups[1].Value;
            var raw = m.Groups[2];
            int vs = s + raw.Index, ve = s + raw.Index + raw.Length;
            // Strip a trailing comment and blanks.
            var hash = text.IndexOf(" #", vs, ve - vs, StringComparison.Ordinal);
            if (hash >= 0) ve = hash;
            while (ve > vs && char.IsWhiteSpace(text[ve - 1])) ve--;
            // ${NAME:-default}: the default applies unless the variable is already set when the file is sourced.
            if (text.AsSpan(vs, ve - vs).StartsWith("${" + name + ":-") && text[ve - 1] == '}')
            {
                vs += name.Length + 4;
                ve--;
            }
            var quote = ConfigValueQuote.None;
            if (ve - vs >= 2 && (text[vs] == '"' || text[vs] == '\'') && text[ve - 1] == text[vs])
            {
                quote = text[vs] == '"' ? ConfigValueQuote.Double : ConfigValueQuote.Single;
                vs++;
                ve--;
            }
            entries.Add(new ConfigEntry(name, text[vs..ve], vs, ve - vs, quote, no, vs - s + 1, null));
            if (name == "JAVA_OPTS") entries.AddRange(HeapEntries(text, vs, ve, no, s));
        }
        return entries;
    }
}

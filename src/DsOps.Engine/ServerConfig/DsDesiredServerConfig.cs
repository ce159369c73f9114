using System.Globalization;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.ServerConfig;

/// <summary>One desired value of a desired-state file, with where it was written.</summary>
public sealed record DsDesiredSetting(ServerConfigRole Role, string Key, string Value, string File, int Line);

/// <summary>
/// A desired-state file: an optional <c>version</c>, then one mapping per role (master, worker, api, alert, standalone) of
/// key: value, where a key is a dotted yaml key, -Xms/-Xmx/-Xmn, or an exported variable. YAML or JSON, read safely.
/// <code>
/// version: 3.2.2
/// master:
///   -Xmx: 1344m
///   master.command-fetch-strategy.config.fetch-size: 8
/// worker:
///   worker.exec-threads: 16
/// </code>
/// </summary>
public sealed class DsDesiredServerConfig
{
    private DsDesiredServerConfig(string file, DsDialect? dialect, IReadOnlyList<DsDesiredSetting> settings)
    {
        File = file;
        Dialect = dialect;
        Settings = settings;
    }

    public string File { get; }
    public DsDialect? Dialect { get; }
    public IReadOnlyList<DsDesiredSetting> Settings { get; }

    public static DsDesiredServerConfig Load(string path)
    {
        SpecNode? root;
        try { root = SafeYamlReader.ReadFile(path); }
        catch (SpecLoadException ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsDesiredStateInvalid", $"Desired-state file '{path}': {ex.Message}", ex);
        }
        if (root is not SpecMapping map)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsDesiredStateInvalid",
                $"Desired-state file '{path}' must be a mapping of role names (master, worker, api, alert, standalone) to key: value mappings.");
        DsDialect? dialect = null;
        var settings = new List<DsDesiredSetting>();
        foreach (var (k, node) in map.Entries)
        {
            var name = k.Value ?? "";
            if (name == "version")
            {
                try { dialect = DsDialect.Parse((node as SpecScalar)?.Value ?? ""); }
                catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException)
                {
                    throw Invalid(path, node, $"'version' is not a DS version: {ex.Message}");
                }
                continue;
            }
            if (!Enum.TryParse<ServerConfigRole>(name, ignoreCase: true, out var role) || int.TryParse(name, out _))
                throw Invalid(path, k, $"'{name}' is not a role; use master, worker, api, alert or standalone.");
            if (node is not SpecMapping keys) throw Invalid(path, node, $"'{name}' must hold key: value pairs.");
            foreach (var (key, value) in keys.Entries)
            {
                if (value is not SpecScalar { Value: { } v })
                    throw Invalid(path, value, $"the value of '{key.Value}' under '{name}' must be a single value.");
                settings.Add(new DsDesiredSetting(role, ServerConfigKeyNames.Normalize(key.Value ?? ""), v, path, key.Location.Line));
            }
        }
        return new DsDesiredServerConfig(path, dialect, settings);
    }

    private static DsOpsException Invalid(string path, SpecNode node, string message) =>
        new(DsErrorKind.InvalidInput, "DsDesiredStateInvalid", $"Desired-state file '{path}' line {node.Location.Line}: {message}");

    /// <summary>Compares each node's config with the desired values (desired / actual / fix, one result per node, role and key).</summary>
    public IReadOnlyList<DsConfigTestResult> Test(IEnumerable<DsServerConfig> nodes)
    {
        var results = new List<DsConfigTestResult>();
        foreach (var node in nodes)
        {
            var versionNote = Dialect is not null && Dialect.Version != node.Dialect.Version
                ? $"The desired state is written for DS {Dialect.Version}; this node reads as DS {node.Version} ({node.VersionSource})." : null;
            foreach (var d in Settings)
            {
                var role = node.Role(d.Role);
                var setting = role?.Find(d.Key);
                var info = node.Dialect.ServerConfigKey(d.Role, d.Key);
                string? message = versionNote;
                if (role is null) message = $"No {d.Role} config under {node.Path}.";
                else if (info?.Status is ConfigKeyStatus.Ignored or ConfigKeyStatus.NoOp)
                    message = $"DS {node.Version} does not use '{d.Key}'" + (info.ReplacedBy is null ? "." : $"; it reads {info.ReplacedBy}.");
                else if (setting is null) message = $"'{d.Key}' is not set in the {d.Role}'s files (DS's default: {info?.DefaultValue ?? "unknown"}).";
                var actual = setting?.RawEffectiveValue;
                var secret = ServerConfigKeyNames.IsSecret(d.Key);
                var ok = actual is not null && SameValue(info?.Kind, d.Value, actual);
                results.Add(new DsConfigTestResult
                {
                    Node = node.Path,
                    Role = d.Role,
                    Key = d.Key,
                    Desired = secret ? ServerConfigKeyNames.SecretMask : d.Value,
                    Actual = actual is null ? null : secret ? ServerConfigKeyNames.SecretMask : actual,
                    InDesiredState = ok,
                    File = setting?.File,
                    Line = setting?.Line,
                    Message = message,
                    Fix = ok || role is null || setting is null ? null
                        : $"Set-DsServerConfig -Path '{node.Path}' -Role {d.Role} -Key '{d.Key}' -Value '{(secret ? "<secret>" : d.Value)}'",
                    DesiredValue = d.Value,
                });
            }
        }
        return results;
    }

    /// <summary>Same value for DS: sizes by megabytes, numbers numerically, words case-insensitively.</summary>
    internal static bool SameValue(ConfigValueKind? kind, string desired, string actual)
    {
        if (kind == ConfigValueKind.JvmSize || ServerConfigKeyNames.ParseJvmSizeMegabytes(desired) is not null && kind is null && desired.Any(char.IsLetter))
            return ServerConfigKeyNames.ParseJvmSizeMegabytes(desired) == ServerConfigKeyNames.ParseJvmSizeMegabytes(actual);
        if (double.TryParse(desired, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            return x == y;
        return string.Equals(desired.Trim(), actual.Trim(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>One desired value compared with one node's config (the desired / actual / fix pattern).</summary>
public sealed class DsConfigTestResult : IDsConfigChangeSource
{
    /// <summary>The DS_HOME (or folder or file) compared.</summary>
    public required string Node { get; init; }
    public required ServerConfigRole Role { get; init; }
    public required string Key { get; init; }
    public required string Desired { get; init; }
    public string? Actual { get; init; }
    public bool InDesiredState { get; init; }
    public string? File { get; init; }
    public int? Line { get; init; }
    /// <summary>Why the value could not be compared or fixed, or a version mismatch.</summary>
    public string? Message { get; init; }
    /// <summary>The command that brings the node to the desired value (null when in the desired state or not fixable in place).</summary>
    public string? Fix { get; init; }

    internal string DesiredValue { get; init; } = "";

    string? IDsConfigChangeSource.Path => Node;
    string? IDsConfigChangeSource.Value => DesiredValue;
    bool IDsConfigChangeSource.IsChange => !InDesiredState && Fix is not null;

    public override string ToString() => $"{Role} {Key}: desired {Desired}, actual {Actual ?? "(not set)"}";
}

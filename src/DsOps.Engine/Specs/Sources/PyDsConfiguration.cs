using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// pydolphinscheduler's configuration as pyds resolves it (configuration.py): a setting comes from its
/// PYDS_&lt;NAME&gt; environment variable, else the configuration file ($PYDS_HOME/config.yaml, default
/// ~/pydolphinscheduler/config.yaml), else the built-in default_config.yaml. DsOps puts the values given
/// with -PyDsConfig first. Settings are named by attribute (WORKFLOW_PROJECT) or dotted path
/// (default.workflow.project). Secrets (the user password, the gateway token) are never read.
/// </summary>
internal sealed class PyDsConfiguration
{
    /// <summary>Attribute name, dotted path and pyds's built-in default (default_config.yaml).</summary>
    private static readonly (string Attr, string Path, string Default)[] Known =
    {
        ("JAVA_GATEWAY_ADDRESS", "java_gateway.address", "127.0.0.1"),
        ("JAVA_GATEWAY_PORT", "java_gateway.port", "25333"),
        ("JAVA_GATEWAY_AUTO_CONVERT", "java_gateway.auto_convert", "true"),
        ("USER_NAME", "default.user.name", "userPythonGateway"),
        ("USER_EMAIL", "default.user.email", "userPythonGateway@dolphinscheduler.com"),
        ("USER_TENANT", "default.user.tenant", "tenant_pydolphin"),
        ("USER_PHONE", "default.user.phone", "11111111111"),
        ("USER_STATE", "default.user.state", "1"),
        ("WORKFLOW_PROJECT", "default.workflow.project", "project-pydolphin"),
        ("WORKFLOW_USER", "default.workflow.user", "userPythonGateway"),
        ("WORKFLOW_QUEUE", "default.workflow.queue", "queuePythonGateway"),
        ("WORKFLOW_RELEASE_STATE", "default.workflow.release_state", "online"),
        ("WORKFLOW_WORKER_GROUP", "default.workflow.worker_group", "default"),
        ("WORKFLOW_TIME_ZONE", "default.workflow.time_zone", "Asia/Shanghai"),
        ("WORKFLOW_WARNING_TYPE", "default.workflow.warning_type", "NONE"),
        ("WORKFLOW_EXECUTION_TYPE", "default.workflow.execution_type", "parallel"),
    };

    private static readonly string[] Secrets = { "USER_PASSWORD", "default.user.password", "JAVA_GATEWAY_AUTH_TOKEN", "java_gateway.auth_token" };

    private readonly PyDsOptions _options;
    private readonly Func<string, string?> _env;
    private readonly SpecReaderLimits _limits;
    private Dictionary<string, string>? _file;
    private string? _filePath;
    private bool _fileReported;

    public PyDsConfiguration(PyDsOptions options, Func<string, string?> env, SpecReaderLimits limits)
    {
        _options = options;
        _env = env;
        _limits = limits;
    }

    /// <summary>The setting's value, or null (with an error when <paramref name="report"/>) for an unknown or secret key.</summary>
    public string? Get(string key, SourceLocation at, FindingSink findings, bool report = false) => Resolve(key, at, findings, report, withDefault: true);

    /// <summary>The setting only when it was given (option, environment or file), not pyds's built-in default.</summary>
    public string? Explicit(string key, SourceLocation at, FindingSink findings) => Resolve(key, at, findings, false, withDefault: false);

    private string? Resolve(string key, SourceLocation at, FindingSink findings, bool report, bool withDefault)
    {
        key = key.Trim();
        if (Secrets.Contains(key))
        {
            findings.Error("UnknownConfigKey", at, $"${{CONFIG.{key}}} is a secret of pydolphinscheduler's configuration; DsOps does not read it.");
            return null;
        }
        var known = Array.Find(Known, k => k.Attr == key || k.Path == key);
        var attr = known.Attr ?? key;
        var path = known.Path ?? key;
        if (_options.Config.TryGetValue(attr, out var v) || _options.Config.TryGetValue(path, out v)) return v;
        if (known.Attr is not null && _env("PYDS_" + known.Attr) is { Length: > 0 } e) return e;
        if (File(at, findings).TryGetValue(path, out var f)) return f;
        if (known.Attr is not null) return withDefault ? known.Default : null;
        if (report)
            findings.Error("UnknownConfigKey", at,
                $"${{CONFIG.{key}}} is not a pydolphinscheduler setting (known: {string.Join(", ", Known.Select(k => k.Attr))}, or a dotted path of its configuration file); pass it with -PyDsConfig.");
        return null;
    }

    private Dictionary<string, string> File(SourceLocation at, FindingSink findings)
    {
        if (_file is not null) return _file;
        _file = new Dictionary<string, string>(StringComparer.Ordinal);
        _filePath = _options.ConfigFile;
        if (_filePath is null)
        {
            var home = _env("PYDS_HOME");
            if (home is { Length: > 0 }) _filePath = Path.Combine(ExpandHome(home), "config.yaml");
            else if ((_env("HOME") ?? _env("USERPROFILE")) is { Length: > 0 } user) _filePath = Path.Combine(user, "pydolphinscheduler", "config.yaml");
        }
        if (_filePath is null || !System.IO.File.Exists(_filePath))
        {
            if (_options.ConfigFile is not null && !_fileReported)
            {
                _fileReported = true;
                findings.Error("ScriptNotFound", at, $"pydolphinscheduler configuration file '{_options.ConfigFile}' does not exist.");
            }
            return _file;
        }
        try
        {
            Flatten(SafeYamlReader.ReadFile(_filePath, _limits), "", _file);
        }
        catch (SpecLoadException ex) when (!_fileReported)
        {
            _fileReported = true;
            findings.Error(ex.ErrorId.Replace("DsSpec", ""), ex.Location, "pydolphinscheduler configuration file: " + ex.Detail);
        }
        return _file;

        string ExpandHome(string p) => p.StartsWith('~') && (_env("HOME") ?? _env("USERPROFILE")) is { } h ? h + p[1..] : p;
    }

    private static void Flatten(SpecNode? node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case SpecMapping m:
                foreach (var (k, v) in m.Entries) Flatten(v, prefix.Length == 0 ? k.Value! : prefix + "." + k.Value, into);
                break;
            case SpecScalar { Value: { } s } when prefix.Length > 0 && !Secrets.Contains(prefix):
                into[prefix] = s;
                break;
        }
    }
}

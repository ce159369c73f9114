using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Inspection;
using DsOps.Engine.Metadata;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;

namespace DsOps.Infrastructure;

// Completers for every parameter that names a server object or a fixed set (docs/architecture.md "Parameters").
// ParameterComplianceTests fails when such a parameter has none, or when one parameter name has two completers.

/// <summary>Shared completion plumbing: prefix matching, quoting, and a never-throw wrapper.</summary>
internal static class Completion
{
    /// <summary>The last failure swallowed by a completer (for diagnosis; completion never throws).</summary>
    internal static Exception? LastError { get; set; }

    /// <summary>
    /// Completions of <paramref name="names"/> starting with the word. A name "code\tlabel" completes the code and shows
    /// "code (label)" (ids and codes are what DS takes, labels are what users know; either prefix matches).
    /// </summary>
    public static IEnumerable<CompletionResult> Results(IEnumerable<string> names, string wordToComplete, Func<string, string>? tooltip = null)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return names
            .Select(n => n.Split('\t', 2))
            .Where(p => p[0].StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || p.Length == 2 && p[1].StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Length == 2
                ? new CompletionResult(Quote(p[0]), $"{p[0]} ({p[1]})", CompletionResultType.ParameterValue, p[1])
                : new CompletionResult(Quote(p[0]), p[0], CompletionResultType.ParameterValue, tooltip?.Invoke(p[0]) ?? p[0]))
            .ToArray();
    }

    public static string Quote(string name) =>
        name.Any(ch => char.IsWhiteSpace(ch) || "'\"$`(){}[];,&|<>#@".Contains(ch)) ? "'" + name.Replace("'", "''") + "'" : name;

    public static IEnumerable<CompletionResult> Safely(Func<IEnumerable<CompletionResult>> complete)
    {
        try
        {
            return complete();
        }
        catch (Exception ex)
        {
            LastError = ex;
            return Array.Empty<CompletionResult>(); // completion must never break the prompt
        }
    }

    /// <summary>A bound value as text: a PSObject's base object, an array's first item, a DsOps parameter's name.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        PSObject p => Text(p.BaseObject),
        string s => s,
        IList { Count: > 0 } list => Text(list[0]),
        IList => null,
        _ => value.ToString(),
    };
}

/// <summary>
/// Tab completion of names from a DS server. The server is the one given on the command line (-Connection; on
/// Copy-DsWorkflow and Compare-DsCluster the source/reference connection for -Project and -Workflow), else the
/// session default. Names are cached per connection for a minute; completion never throws and gives up after 5 s.
/// </summary>
public abstract class DsNameCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    private static readonly ConcurrentDictionary<string, (DateTime At, string[] Names)> Cache = new();
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    /// <summary>The last failure swallowed by a completer (for diagnosis; completion never throws).</summary>
    internal static Exception? LastError => Completion.LastError;

    protected DsNameCompleterAttribute(Type self) : base(self) { }

    protected abstract string CacheKey(IDictionary fakeBoundParameters);
    private protected abstract Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Safely(() =>
    {
        var connection = ConnectionOf(parameterName, fakeBoundParameters) ?? SessionDefaults.ServerFromCurrentRunspace();
        if (connection is null) return Array.Empty<CompletionResult>();
        var key = connection.Uri + "|" + connection.Name + "|" + CacheKey(fakeBoundParameters);
        if (!Cache.TryGetValue(key, out var entry) || DateTime.UtcNow - entry.At > Ttl)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var names = LoadAsync(connection.Client, fakeBoundParameters, cts.Token).WaitAsync(cts.Token).GetAwaiter().GetResult()
                .Distinct(StringComparer.Ordinal).ToArray();
            Array.Sort(names, StringComparer.OrdinalIgnoreCase);
            Cache[key] = entry = (DateTime.UtcNow, names);
        }
        return Completion.Results(entry.Names, wordToComplete);
    });

    /// <summary>
    /// The connection the command line names for this parameter: a -Destination… parameter completes from -Connection
    /// (Copy-DsWorkflow's destination); other parameters from -Source or -Reference when the command has them, else -Connection.
    /// </summary>
    internal static DsConnection? ConnectionOf(string parameterName, IDictionary bound)
    {
        var keys = parameterName.StartsWith("Destination", StringComparison.OrdinalIgnoreCase)
            ? new[] { "Connection", "Destination" }
            : new[] { "Source", "SourceConnection", "Reference", "Connection", "Difference" };
        foreach (var key in keys)
            if (bound.Contains(key) && (bound[key] is PSObject p ? p.BaseObject : bound[key]) is DsConnection c) return c;
        return null;
    }

    protected static async Task<IEnumerable<string>> Collect<T>(IAsyncEnumerable<T> items, Func<T, string> name)
    {
        var list = new List<string>();
        await foreach (var item in items.ConfigureAwait(false)) list.Add(name(item));
        return list;
    }
}

/// <summary>Completes project names.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ProjectCompleterAttribute : DsNameCompleterAttribute
{
    public ProjectCompleterAttribute() : base(typeof(ProjectCompleterAttribute)) { }

    protected override string CacheKey(IDictionary fakeBoundParameters) => "projects";

    private protected override async Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        (await client.GetProjectListAsync(ct).ConfigureAwait(false)).Select(p => p.Name);
}

/// <summary>Completes workflow names of the project given by -Project (or -DestinationProject for -DestinationWorkflow).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class WorkflowCompleterAttribute : DsNameCompleterAttribute
{
    public WorkflowCompleterAttribute() : base(typeof(WorkflowCompleterAttribute)) { }

    protected override string CacheKey(IDictionary fakeBoundParameters) => "workflows|" + ProjectOf(fakeBoundParameters);

    private protected override async Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct)
    {
        var project = ProjectOf(fakeBoundParameters);
        if (string.IsNullOrEmpty(project) || DsOps.Engine.Text.Wildcard.HasWildcards(project)) return Array.Empty<string>();
        var p = await client.ResolveProjectAsync(project, ct).ConfigureAwait(false);
        return (await client.GetWorkflowListAsync(p.ProjectCode, ct).ConfigureAwait(false)).Select(w => w.Name);
    }

    private static string? ProjectOf(IDictionary bound) => bound.Contains("Project") ? Completion.Text(bound["Project"]) : null;
}

/// <summary>Completes tenant codes.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TenantCompleterAttribute : DsNameCompleterAttribute
{
    public TenantCompleterAttribute() : base(typeof(TenantCompleterAttribute)) { }
    protected override string CacheKey(IDictionary fakeBoundParameters) => "tenants";
    private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        Collect(client.GetTenantsAsync(null, ct), t => t.TenantCode);
}

/// <summary>Completes worker group names.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class WorkerGroupCompleterAttribute : DsNameCompleterAttribute
{
    public WorkerGroupCompleterAttribute() : base(typeof(WorkerGroupCompleterAttribute)) { }
    protected override string CacheKey(IDictionary fakeBoundParameters) => "workergroups";
    private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        Collect(client.GetWorkerGroupsAsync(null, ct), w => w.Name);
}

/// <summary>Completes DS environment codes (-EnvironmentCode: the number, with the environment's name as tooltip text).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DsEnvironmentCompleterAttribute : DsNameCompleterAttribute
{
    public DsEnvironmentCompleterAttribute() : base(typeof(DsEnvironmentCompleterAttribute)) { }
    protected override string CacheKey(IDictionary fakeBoundParameters) => "environments";
    private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        Collect(client.GetEnvironmentsAsync(null, ct), e => e.EnvironmentCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\t" + e.Name);
}

/// <summary>Completes alert group ids (-WarningGroupId), shown with their names.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AlertGroupCompleterAttribute : DsNameCompleterAttribute
{
    public AlertGroupCompleterAttribute() : base(typeof(AlertGroupCompleterAttribute)) { }
    protected override string CacheKey(IDictionary fakeBoundParameters) => "alertgroups";
    private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        Collect(client.GetAlertGroupsAsync(null, ct), a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\t" + a.Name);
}

/// <summary>
/// Completes -Name of the cluster-resource readers (Get-DsDataSource, -WorkerGroup, -Environment, -Tenant, -AlertGroup)
/// with the names of the command's own resource.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ClusterResourceNameCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public ClusterResourceNameCompleterAttribute() : base(typeof(ClusterResourceNameCompleterAttribute)) { }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IArgumentCompleter? inner = commandName switch
        {
            "Get-DsTenant" => new TenantCompleterAttribute(),
            "Get-DsWorkerGroup" => new WorkerGroupCompleterAttribute(),
            "Get-DsDataSource" => new DataSourceNameCompleter(),
            "Get-DsEnvironment" => new EnvironmentNameCompleter(),
            "Get-DsAlertGroup" => new AlertGroupNameCompleter(),
            _ => null,
        };
        return inner?.CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters) ?? Array.Empty<CompletionResult>();
    }

    private sealed class DataSourceNameCompleter : DsNameCompleterAttribute
    {
        public DataSourceNameCompleter() : base(typeof(DataSourceNameCompleter)) { }
        protected override string CacheKey(IDictionary fakeBoundParameters) => "datasources";
        private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
            Collect(client.GetDataSourcesAsync(null, ct), d => d.Name);
    }

    private sealed class EnvironmentNameCompleter : DsNameCompleterAttribute
    {
        public EnvironmentNameCompleter() : base(typeof(EnvironmentNameCompleter)) { }
        protected override string CacheKey(IDictionary fakeBoundParameters) => "environmentnames";
        private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
            Collect(client.GetEnvironmentsAsync(null, ct), e => e.Name);
    }

    private sealed class AlertGroupNameCompleter : DsNameCompleterAttribute
    {
        public AlertGroupNameCompleter() : base(typeof(AlertGroupNameCompleter)) { }
        protected override string CacheKey(IDictionary fakeBoundParameters) => "alertgroupnames";
        private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
            Collect(client.GetAlertGroupsAsync(null, ct), a => a.Name);
    }
}

/// <summary>Completes check ids: the health-check catalogue, or the metadata integrity checks on Test-DsMetadataIntegrity.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class CheckCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public CheckCompleterAttribute() : base(typeof(CheckCompleterAttribute)) { }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Safely(() =>
        string.Equals(commandName, "Test-DsMetadataIntegrity", StringComparison.OrdinalIgnoreCase)
            ? Completion.Results(IntegrityChecker.Describe(DsDialect.V3_4).Concat(IntegrityChecker.Describe(DsDialect.V3_0)).Select(c => c.Id).Distinct(), wordToComplete)
            : Completion.Results(HealthInspector.Catalogue.Select(c => c.Id), wordToComplete,
                id => HealthInspector.Catalogue.First(c => c.Id == id).Title));
}

/// <summary>Completes the DS versions DsOps knows (families and their representative releases).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DsVersionCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public DsVersionCompleterAttribute() : base(typeof(DsVersionCompleterAttribute)) { }

    internal static readonly string[] Versions =
        new[] { DsDialect.V3_0, DsDialect.V3_1, DsDialect.V3_2, DsDialect.V3_3, DsDialect.V3_4 }
            .SelectMany(d => new[] { d.Family, d.Version.ToString(3) }).Distinct().ToArray();

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Safely(() => Completion.Results(Versions, wordToComplete));
}

/// <summary>Completes time-zone ids this machine knows; "shang" finds Asia/Shanghai (the part after a slash matches too).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TimeZoneCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public TimeZoneCompleterAttribute() : base(typeof(TimeZoneCompleterAttribute)) { }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Safely(() =>
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return DsTimeZones.KnownIds
            .Where(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                         || id.Contains("/" + prefix, StringComparison.OrdinalIgnoreCase) && prefix.Length > 0)
            .Select(id => new CompletionResult(Completion.Quote(id), id, CompletionResultType.ParameterValue, id))
            .ToArray();
    });
}

/// <summary>
/// Completes environment names (UAT, PROD...) from the environments file on the command line: -EnvironmentFile, else
/// environments.yaml beside -Path (or -Config/-Workflows), else in the current folder.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SpecEnvironmentCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public SpecEnvironmentCompleterAttribute() : base(typeof(SpecEnvironmentCompleterAttribute)) { }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Safely(() =>
    {
        var file = EnvironmentsFile(fakeBoundParameters);
        return file is null ? Array.Empty<CompletionResult>() : Completion.Results(EnvironmentOverlay.Names(file), wordToComplete);
    });

    private static string? EnvironmentsFile(IDictionary bound)
    {
        var cwd = CurrentDirectory();
        string Full(string p) => System.IO.Path.GetFullPath(p, cwd);
        if (Completion.Text(bound.Contains("EnvironmentFile") ? bound["EnvironmentFile"] : null) is { Length: > 0 } given)
            return File.Exists(Full(given)) ? Full(given) : null;
        foreach (var key in new[] { "Path", "Workflows", "Config" })
        {
            if (Completion.Text(bound.Contains(key) ? bound[key] : null) is not { Length: > 0 } path) continue;
            var full = Full(path);
            var folder = Directory.Exists(full) ? full : System.IO.Path.GetDirectoryName(full);
            var candidate = folder is null ? null : System.IO.Path.Combine(folder, YamlSpecSource.EnvironmentsFileName);
            if (candidate is not null && File.Exists(candidate)) return candidate;
        }
        var local = System.IO.Path.Combine(cwd, YamlSpecSource.EnvironmentsFileName);
        return File.Exists(local) ? local : null;
    }

    // The PowerShell location, not the process's, is what relative paths on the command line mean.
    private static string CurrentDirectory()
    {
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            var result = ps.AddCommand("Get-Location").AddParameter("PSProvider", "FileSystem").Invoke();
            if (result.Count > 0 && result[0].BaseObject is PathInfo info) return info.ProviderPath;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Completion.LastError = ex;
        }
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>Completes DS command type names (t_ds_command.command_type) as DS 3.x spells them.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class CommandTypeCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    public CommandTypeCompleterAttribute() : base(typeof(CommandTypeCompleterAttribute)) { }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Safely(() => Completion.Results(DsDialect.AllCommandTypeNames, wordToComplete));
}

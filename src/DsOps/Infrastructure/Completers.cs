using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using DsOps.Engine.Api;

namespace DsOps.Infrastructure;

/// <summary>
/// Tab completion of names from the connected server. Uses -Connection if bound, else the session default;
/// caches per connection for a minute; never throws and gives up after a few seconds.
/// </summary>
public abstract class DsNameCompleterAttribute : ArgumentCompleterAttribute, IArgumentCompleter
{
    private static readonly ConcurrentDictionary<string, (DateTime At, string[] Names)> Cache = new();
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    /// <summary>The last failure swallowed by a completer (for diagnosis; completion never throws).</summary>
    internal static Exception? LastError { get; private set; }

    protected DsNameCompleterAttribute(Type self) : base(self) { }

    protected abstract string CacheKey(IDictionary fakeBoundParameters);
    private protected abstract Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var connection = (fakeBoundParameters["Connection"] is { } c ? (c is PSObject p ? p.BaseObject : c) as DsConnection : null)
                             ?? SessionDefaults.ServerFromCurrentRunspace();
            if (connection is null) return Array.Empty<CompletionResult>();
            var key = connection.Uri + "|" + CacheKey(fakeBoundParameters);
            if (!Cache.TryGetValue(key, out var entry) || DateTime.UtcNow - entry.At > Ttl)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var names = LoadAsync(connection.Client, fakeBoundParameters, cts.Token).GetAwaiter().GetResult().ToArray();
                Array.Sort(names, StringComparer.OrdinalIgnoreCase);
                Cache[key] = entry = (DateTime.UtcNow, names);
            }
            var prefix = wordToComplete.Trim('\'', '"');
            return entry.Names
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
                .ToArray();
        }
        catch (Exception ex)
        {
            LastError = ex;
            return Array.Empty<CompletionResult>(); // completion must never break the prompt
        }
    }

    private static string Quote(string name) =>
        name.Any(ch => char.IsWhiteSpace(ch) || "'\"$`(){}[];,&|<>#@".Contains(ch)) ? "'" + name.Replace("'", "''") + "'" : name;

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

    private protected override Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct) =>
        Collect(client.GetProjectsAsync(null, ct), p => p.Name);
}

/// <summary>Completes workflow names of the project given by -Project.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class WorkflowCompleterAttribute : DsNameCompleterAttribute
{
    public WorkflowCompleterAttribute() : base(typeof(WorkflowCompleterAttribute)) { }

    protected override string CacheKey(IDictionary fakeBoundParameters) => "workflows|" + ProjectOf(fakeBoundParameters);

    private protected override async Task<IEnumerable<string>> LoadAsync(DsClient client, IDictionary fakeBoundParameters, CancellationToken ct)
    {
        var project = ProjectOf(fakeBoundParameters);
        if (string.IsNullOrEmpty(project)) return Array.Empty<string>();
        var p = await client.ResolveProjectAsync(project, ct).ConfigureAwait(false);
        return await Collect(client.GetWorkflowsAsync(p.ProjectCode, null, ct), w => w.Name).ConfigureAwait(false);
    }

    private static string? ProjectOf(IDictionary bound) => bound["Project"] switch
    {
        null => null,
        PSObject p => p.BaseObject?.ToString(),
        object o => o.ToString(),
    };
}

/// <summary>Completes DS command type names (t_ds_command.command_type) as DS 3.x spells them.</summary>
public sealed class CommandTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        DsOps.Engine.Dialects.DsDialect.AllCommandTypeNames.Where(n => n.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}

using System.Globalization;
using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Models;

namespace DsOps.Parameters;

/// <summary>
/// The value of every -Workflow parameter: a workflow name (wildcards where the parameter is a list), a numeric
/// workflow code, a <see cref="DsWorkflow"/>, or any object with a WorkflowCode or Name property. A workflow is
/// always resolved inside a project (<see cref="ResolveAsync"/>), through the connection's name cache.
/// </summary>
public sealed class DsWorkflowParameter
{
    /// <summary>The workflow name or name pattern; null when only a code was given.</summary>
    public string? Name { get; }

    /// <summary>The workflow code when one was given.</summary>
    public long? Code { get; }

    /// <summary>The project code carried by a workflow object (null for names and codes).</summary>
    public long? ProjectCode { get; }

    /// <summary>A name containing wildcard characters (only list parameters accept them).</summary>
    public bool IsWildcard => Code is null && Name is not null && DsOps.Engine.Text.Wildcard.HasWildcards(Name);

    public DsWorkflowParameter(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A workflow is a name, a numeric code or a workflow object; got an empty string.", nameof(value));
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code)) Code = code;
        else Name = value;
    }

    public DsWorkflowParameter(long code)
    {
        if (code <= 0) throw new ArgumentOutOfRangeException(nameof(code), code, "A workflow code is a positive number.");
        Code = code;
    }

    public DsWorkflowParameter(int code) : this((long)code) { }

    public DsWorkflowParameter(DsWorkflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        Code = workflow.WorkflowCode;
        Name = workflow.Name;
        ProjectCode = workflow.ProjectCode;
    }

    /// <summary>Any object with a WorkflowCode (preferred) or a Name/WorkflowName property.</summary>
    public DsWorkflowParameter(object value)
    {
        var (code, name) = DsProjectParameter.Properties(value, "WorkflowCode", "WorkflowName", "Name");
        if (code is null && string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"Cannot use a {DsProjectParameter.TypeName(value)} as a workflow: pass a name, a numeric code, or an object with a WorkflowCode or Name property.", nameof(value));
        Code = code;
        Name = code is null ? name!.Trim() : name;
        ProjectCode = DsProjectParameter.Properties(value, "ProjectCode").Code;
    }

    /// <summary>The workflow in project <paramref name="projectCode"/> (cached per connection); DsWorkflowNotFound names the project.</summary>
    internal Task<DsWorkflow> ResolveAsync(DsClient client, long projectCode, CancellationToken ct = default)
    {
        if (IsWildcard) throw new ArgumentException($"-Workflow: '{Name}' has wildcards, but this parameter names exactly one workflow.", "Workflow");
        return client.ResolveWorkflowAsync(projectCode, Code?.ToString(CultureInfo.InvariantCulture) ?? Name!, ct);
    }

    /// <summary>The workflows of a project that <paramref name="values"/> name (wildcards match; a plain name that does not exist is DsWorkflowNotFound).</summary>
    internal static async Task<IReadOnlyList<DsWorkflow>> ResolveAllAsync(DsClient client, long projectCode, IEnumerable<DsWorkflowParameter> values, CancellationToken ct = default)
    {
        var found = new List<DsWorkflow>();
        var seen = new HashSet<long>();
        foreach (var value in values)
        {
            if (!value.IsWildcard)
            {
                var w = await value.ResolveAsync(client, projectCode, ct).ConfigureAwait(false);
                if (seen.Add(w.WorkflowCode)) found.Add(w);
                continue;
            }
            var pattern = new DsOps.Engine.Text.Wildcard(value.Name!);
            foreach (var w in await client.GetWorkflowListAsync(projectCode, ct).ConfigureAwait(false))
                if (pattern.IsMatch(w.Name) && seen.Add(w.WorkflowCode)) found.Add(w);
        }
        return found;
    }

    /// <summary>
    /// The names <paramref name="values"/> stand for, for readers that select workflows by name: names and patterns as
    /// typed, a code turned into its workflow's name in <paramref name="projects"/> (DsWorkflowNotFound names the
    /// projects when none has it). Null when no values were given.
    /// </summary>
    internal static async Task<string[]?> NamesAsync(DsClient client, IReadOnlyList<DsWorkflowParameter>? values, IReadOnlyList<DsProject> projects,
        CancellationToken ct = default)
    {
        if (values is null) return null;
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
            names[i] = values[i].Name ?? await NameOfCodeAsync(client, values[i].Code!.Value, projects, ct).ConfigureAwait(false);
        return names;
    }

    private static async Task<string> NameOfCodeAsync(DsClient client, long code, IReadOnlyList<DsProject> projects, CancellationToken ct)
    {
        foreach (var p in projects)
            if ((await client.GetWorkflowListAsync(p.ProjectCode, ct).ConfigureAwait(false)).FirstOrDefault(w => w.WorkflowCode == code) is { } w)
                return w.Name;
        throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound",
            $"-Workflow: no workflow has code {code} in project(s) {string.Join(", ", projects.Select(p => $"'{p.Name}'"))}.");
    }

    /// <summary>Whether a workflow (by name and code) is one this value names: for filters that never call the API.</summary>
    public bool Matches(string? name, long code) =>
        Code is { } c ? c == code : name is not null && new DsOps.Engine.Text.Wildcard(Name!).IsMatch(name);

    /// <summary>The text the user would type: the name, or the code.</summary>
    public override string ToString() => Name ?? Code!.Value.ToString(CultureInfo.InvariantCulture);
}

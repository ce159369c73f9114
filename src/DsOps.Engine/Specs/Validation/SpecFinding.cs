using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Validation;

public enum SpecSeverity { Error, Warning, Information }

/// <summary>One problem found in a spec: severity, stable rule id, message and where it is.</summary>
public sealed record SpecFinding(SpecSeverity Severity, string RuleId, string Message, SourceLocation Location)
{
    public string? Workflow { get; init; }
    public string? Task { get; init; }

    /// <summary>file:line:col as text (empty when unknown) - for table views and CI logs.</summary>
    public string Position => Location.ToString();

    public override string ToString() =>
        (Location.IsKnown ? Location + ": " : "") + $"{Severity.ToString().ToLowerInvariant()} {RuleId}: {Message}";
}

/// <summary>Specs read from one or more sources, with everything found wrong while reading them.</summary>
public sealed class SpecSet
{
    public SpecSet(IReadOnlyList<WorkflowSpec> workflows, IReadOnlyList<SpecFinding> findings)
    {
        Workflows = workflows;
        Findings = findings;
    }

    public IReadOnlyList<WorkflowSpec> Workflows { get; }
    public IReadOnlyList<SpecFinding> Findings { get; }
    public bool HasErrors => Findings.Any(f => f.Severity == SpecSeverity.Error);

    /// <summary>
    /// The workflows grouped by project (sorted), with the project descriptions the sources declared
    /// (top-level <c>description</c> of a DsOps YAML file).
    /// </summary>
    public IReadOnlyList<ProjectSpec> Projects => Workflows
        .GroupBy(w => w.Project, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => new ProjectSpec(g.Key, g.OrderBy(w => w.Name, StringComparer.Ordinal).ToImmutableArray())
        {
            Description = ProjectDescriptions.TryGetValue(g.Key, out var d) ? d : null,
        })
        .ToList();

    /// <summary>Project descriptions declared by the sources, by project name.</summary>
    public IReadOnlyDictionary<string, string> ProjectDescriptions { get; init; } = new Dictionary<string, string>();
}

/// <summary>Collects findings while reading; one instance per load.</summary>
internal sealed class FindingSink
{
    private readonly List<SpecFinding> _items = new();

    public IReadOnlyList<SpecFinding> Items => _items;

    public void Error(string ruleId, SourceLocation at, string message, string? workflow = null, string? task = null) =>
        _items.Add(new SpecFinding(SpecSeverity.Error, ruleId, message, at) { Workflow = workflow, Task = task });

    public void Warning(string ruleId, SourceLocation at, string message, string? workflow = null, string? task = null) =>
        _items.Add(new SpecFinding(SpecSeverity.Warning, ruleId, message, at) { Workflow = workflow, Task = task });

    public void Add(SpecFinding finding) => _items.Add(finding);

    public void AddRange(IEnumerable<SpecFinding> findings) => _items.AddRange(findings);
}

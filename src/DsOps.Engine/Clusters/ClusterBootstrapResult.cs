namespace DsOps.Engine.Clusters;

/// <summary>What Initialize-DsCluster did: resources, workflows and health checks, with the time it took.</summary>
public sealed class ClusterBootstrapResult
{
    public required string Server { get; init; }
    public int ResourcesApplied { get; init; }
    public int ResourcesUnchanged { get; init; }
    public int ResourcesFailed { get; init; }
    public int WorkflowsApplied { get; init; }
    public int WorkflowsUnchanged { get; init; }
    public int WorkflowsFailed { get; init; }
    /// <summary>Health results by status (Pass, Warn, Fail...); empty when no health config was given.</summary>
    public IReadOnlyDictionary<string, int> Health { get; init; } = new Dictionary<string, int>();
    public TimeSpan Duration { get; init; }
    /// <summary>Nothing failed (resources, workflows, health Fail/Error).</summary>
    public bool Succeeded { get; init; }
    /// <summary>Every individual result (ClusterApplyResult, WorkflowApplyResult, DsHealthResult), for detail.</summary>
    public IReadOnlyList<object> Details { get; init; } = Array.Empty<object>();

    public override string ToString() =>
        $"{Server}: resources {ResourcesApplied} applied/{ResourcesUnchanged} unchanged/{ResourcesFailed} failed; " +
        $"workflows {WorkflowsApplied} applied/{WorkflowsUnchanged} unchanged/{WorkflowsFailed} failed" +
        (Health.Count == 0 ? "" : "; health " + string.Join(", ", Health.Select(h => $"{h.Value} {h.Key}"))) + $" in {Duration.TotalSeconds:0.0} s";
}

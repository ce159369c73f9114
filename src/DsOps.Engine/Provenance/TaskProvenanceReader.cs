using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Provenance;

/// <summary>Whether a task's script on the server is still what DsOps applied from Git.</summary>
public enum ProvenanceStatus
{
    /// <summary>The script hashes to what DsOps applied: the named commit runs.</summary>
    Matches,
    /// <summary>The script was changed on the server after DsOps applied it: the named commit no longer describes it.</summary>
    ServerEdited,
    /// <summary>The provenance marker has no script hash (written by hand or by another tool): not checked.</summary>
    Unverified,
    /// <summary>The task's script did not come from Git through DsOps (no marker).</summary>
    NotFromGit,
}

/// <summary>Where one task's script on a server came from: "which commit runs in PROD".</summary>
public sealed class DsTaskProvenance
{
    public required string Project { get; init; }
    public required string Workflow { get; init; }
    public required string Task { get; init; }
    public required string TaskType { get; init; }
    /// <summary>Repository (remote URL without credentials, or local work-tree path); null when not from Git.</summary>
    public string? Repository { get; init; }
    /// <summary>The script file's path inside the repository.</summary>
    public string? Path { get; init; }
    /// <summary>The commit that last changed the file when it was applied (full hash).</summary>
    public string? Commit { get; init; }
    public string? ShortCommit => Commit is null ? null : Commit.Length > 12 ? Commit[..12] : Commit;
    /// <summary>When DS last saved the task definition (server clock).</summary>
    public DateTime? AppliedAt { get; init; }
    public required ProvenanceStatus Status { get; init; }
    /// <summary>True when the server's script is what was applied; null when it cannot be told.</summary>
    public bool? ServerContentMatches => Status switch
    {
        ProvenanceStatus.Matches => true, ProvenanceStatus.ServerEdited => false, _ => null,
    };
    public Api.DsConnection? Connection { get; init; }

    public override string ToString() => $"{Project}/{Workflow}/{Task}: " + (Commit is null ? "not from Git" : $"{Repository}#{Path}@{ShortCommit} ({Status})");
}

/// <summary>Reads the provenance markers of every task of the given projects (one snapshot read, docs/promotion-and-provenance.md).</summary>
internal static class TaskProvenanceReader
{
    public static async Task<IReadOnlyList<DsTaskProvenance>> ReadAsync(DsClient client, IReadOnlyCollection<string> projects,
        Func<WorkflowSpec, bool>? workflowFilter = null, DsConnection? connection = null, CancellationToken ct = default)
    {
        var snapshot = await DsServerSnapshot.ReadAsync(client, projects, ct).ConfigureAwait(false);
        return Of(snapshot.Workflows.Where(w => workflowFilter?.Invoke(w) ?? true), connection);
    }

    /// <summary>Provenance of every task that has a script or a marker, ordered by project, workflow, task.</summary>
    public static IReadOnlyList<DsTaskProvenance> Of(IEnumerable<WorkflowSpec> serverWorkflows, DsConnection? connection = null)
    {
        var result = new List<DsTaskProvenance>();
        foreach (var w in serverWorkflows.OrderBy(w => w.Project, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal))
            foreach (var t in w.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                if (t.Provenance is null && t.Script is null) continue;
                var p = t.Provenance;
                result.Add(new DsTaskProvenance
                {
                    Project = w.Project, Workflow = w.Name, Task = t.Name, TaskType = t.Type,
                    Repository = p?.Repository, Path = p?.Path, Commit = p?.Commit, AppliedAt = p?.AppliedAt,
                    Status = StatusOf(t),
                    Connection = connection,
                });
            }
        return result;
    }

    public static ProvenanceStatus StatusOf(TaskSpec serverTask) => serverTask.Provenance switch
    {
        null => ProvenanceStatus.NotFromGit,
        { ScriptHash: null } => ProvenanceStatus.Unverified,
        { ScriptHash: var h } => h == ScriptProvenance.HashScript(serverTask.Script) ? ProvenanceStatus.Matches : ProvenanceStatus.ServerEdited,
    };
}

using System.Globalization;
using DsOps.Engine.Models;

namespace DsOps.Engine.Api;

// Name-or-code resolution used by every cmdlet that takes -Project or -Workflow.
internal sealed partial class DsClient
{
    /// <summary>Finds a project by code (all digits) or exact name.</summary>
    public async Task<DsProject> ResolveProjectAsync(string nameOrCode, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrCode);
        if (long.TryParse(nameOrCode, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            return await GetProjectAsync(code, ct).ConfigureAwait(false);
        await foreach (var p in GetProjectsAsync(nameOrCode, ct).ConfigureAwait(false))
            if (string.Equals(p.Name, nameOrCode, StringComparison.Ordinal)) return p;
        throw ProjectNotFound(nameOrCode);
    }

    /// <summary>The error for a project name or code the connected user cannot find.</summary>
    public DsOpsException ProjectNotFound(string nameOrCode) =>
        new(DsErrorKind.NotFound, "DsProjectNotFound", $"Project '{nameOrCode}' does not exist on {BaseUri} (or the user cannot see it).");

    /// <summary>Finds a workflow of a project by code (all digits) or exact name.</summary>
    public async Task<DsWorkflow> ResolveWorkflowAsync(long projectCode, string nameOrCode, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrCode);
        var isCode = long.TryParse(nameOrCode, NumberStyles.None, CultureInfo.InvariantCulture, out var code);
        await foreach (var w in GetWorkflowsAsync(projectCode, isCode ? null : nameOrCode, ct).ConfigureAwait(false))
            if (isCode ? w.WorkflowCode == code : string.Equals(w.Name, nameOrCode, StringComparison.Ordinal)) return w;
        throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound", $"Workflow '{nameOrCode}' does not exist in project {projectCode}.");
    }
}

using DsOps.Engine.Api;
using DsOps.Engine.Clusters;
using DsOps.Engine.Planning;

namespace DsOps.Engine.Orchestration;

internal sealed record ClusterPlanRequest
{
    public bool Prune { get; init; }

    /// <summary>Resources whose secrets are sent again (Kind/name or name, wildcards; * = all).</summary>
    public IReadOnlyList<string>? UpdateSecrets { get; init; }

    /// <summary>Last-applied state file (null: none).</summary>
    public string? StatePath { get; init; }
}

internal sealed record ClusterApplyRequest
{
    /// <summary>Skip the second question (ShouldContinue) before deletes; ShouldProcess is still asked.</summary>
    public bool Force { get; init; }

    public bool TestConnections { get; init; }

    /// <summary>Activity name for progress and the summary (the cmdlet's name).</summary>
    public string Activity { get; init; } = "Sync-DsCluster";

    /// <summary>How the plan's summary is labelled in verbose output ("Cluster plan" beside a workflow plan).</summary>
    public string PlanLabel { get; init; } = "Plan";
}

/// <summary>A cluster sync's results (WhatIf-skipped ones labelled so) and its summary.</summary>
internal sealed record ClusterSyncOutcome(IReadOnlyList<ClusterApplyResult> Results, string Summary);

/// <summary>
/// The rules of Compare-DsClusterConfig, Sync-DsCluster and Initialize-DsCluster: refuse what the server's DS
/// version cannot hold (ClusterVersionSupport), plan with secret fingerprints, confirm (ShouldProcess per resource,
/// then one ShouldContinue for deletes unless Force), apply with the secrets of approved resources only, keep state.
/// Secret values come from <paramref name="secretLookup"/> (environment or the caller's vault); every value read is
/// registered with <see cref="SecretRegistry"/> so no output shows it.
/// </summary>
internal sealed class ClusterSyncService(DsConnection connection, IDsOperationHost host, Func<SecretReference, string?> secretLookup)
{
    private readonly Dictionary<SecretReference, string?> _secrets = new();

    /// <summary>The server's cluster resources (file digests only for the files <paramref name="desired"/> names).</summary>
    public Task<ClusterServerState> ReadServerAsync(ClusterConfig? desired, CancellationToken ct)
    {
        host.Verbose($"Reading the cluster resources of {connection.Name}.");
        var hash = desired?.OfKind(ClusterResourceKind.File).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return ClusterStateReader.ReadAsync(connection.Client, hash, ct);
    }

    /// <summary>Warnings of the config file go to the host.</summary>
    public static ClusterConfig Describe(IDsOperationHost host, ClusterConfig config)
    {
        foreach (var w in config.Warnings) host.Warning(w.Location + ": " + w.Message);
        host.Verbose($"Cluster config '{config.File}': {config.Resources.Length} resource(s).");
        return config;
    }

    public ClusterPlan Plan(ClusterConfig desired, ClusterServerState server, ClusterPlanRequest request)
    {
        ClusterVersionSupport.EnsureSupported(desired, connection.Dialect);
        var updateSecrets = request.UpdateSecrets ?? Array.Empty<string>();
        if (updateSecrets.Count > 0) ClusterPlanner.CheckSecretTargets(desired, updateSecrets);
        foreach (var finding in ClusterPlanner.CheckAgainstServer(desired, connection.Dialect)) host.Warning(finding.Location + ": " + finding.Message);
        return ClusterPlanner.Plan(desired, server.Config, new ClusterPlanOptions
        {
            Prune = request.Prune, State = request.StatePath is null ? null : ClusterAppliedState.Load(request.StatePath),
            Unsupported = ClusterPlanOptions.UnsupportedFields(connection.Dialect),
            UpdateSecrets = updateSecrets, SecretDigest = reference => ClusterStateReader.SecretDigest(Secret(reference, tolerant: true)),
        });
    }

    /// <summary>One secret value, read once per service; <paramref name="tolerant"/>: a source that fails counts as unset (for fingerprints).</summary>
    private string? Secret(SecretReference reference, bool tolerant)
    {
        if (_secrets.TryGetValue(reference, out var known)) return known;
        string? value;
        try
        {
            value = secretLookup(reference);
        }
        catch (Exception) when (tolerant)
        {
            return null; // not cached: applying reads it again and then reports the failure
        }
        SecretRegistry.Register(value);
        return _secrets[reference] = value;
    }

    /// <summary>Plan, confirm and apply; state is recorded unless WhatIf or <paramref name="statePath"/> is null.</summary>
    public async Task<ClusterSyncOutcome> ApplyAsync(ClusterConfig desired, ClusterServerState server, ClusterPlan plan, string? statePath,
        ClusterApplyRequest request, CancellationToken ct)
    {
        var approved = WorkflowSyncService.Confirm(host, plan.Changes, i => i.Target,
            item => $"{item.Action} {item.Kind}" + (item.Changes.Length > 0 ? $" ({string.Join(", ", item.Changes.Select(c => c.Field))})" : "") +
                    (item.Drift ? " [overwrites changes made outside DsOps]" : ""),
            i => i.Action == PlanAction.Delete, request.Force, n => $"Delete {n} cluster resource(s) that are not in the config?");
        // Only the approved resources' secrets are read for writing.
        var values = desired.Resources.Where(r => approved.Contains(r.Key)).SelectMany(r => r.Secrets.Values).Distinct()
            .ToDictionary(r => r, r => Secret(r, tolerant: false));
        var applier = new ClusterApplier(connection.Client, server, desired);
        var activity = request.Activity;
        var progress = new HostProgress<ClusterApplyProgress>(host, p => (3, activity, $"{p.Done} of {p.Total} resources: {p.Current}", p.Total == 0 ? 100 : p.Done * 100 / p.Total));
        var results = await applier.ApplyAsync(plan, new ClusterApplyOptions
        {
            ResolveSecret = r => values.GetValueOrDefault(r), TestConnections = request.TestConnections, Approved = approved,
        }, progress, ct).ConfigureAwait(false);
        host.Progress(3, activity, "Done", 100, completed: true);
        // WhatIf writes no state file.
        if (statePath is not null && !host.WhatIf && results.Any(r => r.Status == ClusterApplyStatus.Applied))
        {
            var state = ClusterAppliedState.Load(statePath);
            var after = await ReadServerAsync(desired, ct).ConfigureAwait(false);
            state.Record(after.Config.Resources.Where(r => desired.Find(r.Kind, r.Name) is not null));
            foreach (var d in results.Where(r => r.Action == PlanAction.Delete && r.Status == ClusterApplyStatus.Applied)) state.Forget(d.Target);
            state.Save(statePath);
        }
        var labelled = results.Select(r => r.Status == ClusterApplyStatus.Skipped && host.WhatIf ? new ClusterApplyResult
        {
            Kind = r.Kind, Name = r.Name, Action = r.Action, Status = r.Status, Changes = r.Changes, Drift = r.Drift, Message = "WhatIf",
        } : r).ToList();
        var summary = $"{results.Count(r => r.Status == ClusterApplyStatus.Applied)} applied, {results.Count(r => r.Status == ClusterApplyStatus.Unchanged)} unchanged, " +
                      $"{results.Count(r => r.Status == ClusterApplyStatus.Failed)} failed, {results.Count(r => r.Status == ClusterApplyStatus.Skipped)} skipped; {connection.Client.Statistics}";
        return new ClusterSyncOutcome(labelled, summary);
    }

    /// <summary>Compare, then apply: the whole of Sync-DsCluster after loading.</summary>
    public async Task<ClusterSyncOutcome> SyncAsync(ClusterConfig desired, ClusterPlanRequest planRequest, ClusterApplyRequest applyRequest,
        SavedClusterPlan? saved, CancellationToken ct)
    {
        var server = await ReadServerAsync(desired, ct).ConfigureAwait(false);
        var plan = Plan(desired, server, planRequest);
        saved?.Verify(plan);
        host.Verbose(applyRequest.PlanLabel + ": " + plan.Summary);
        return await ApplyAsync(desired, server, plan, planRequest.StatePath, applyRequest, ct).ConfigureAwait(false);
    }
}

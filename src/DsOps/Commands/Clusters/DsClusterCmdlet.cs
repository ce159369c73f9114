using System.Management.Automation;
using DsOps.Engine;
using DsOps.Engine.Api;
using DsOps.Engine.Clusters;
using DsOps.Engine.Planning;

namespace DsOps.Commands.Clusters;

/// <summary>Base of the cluster-config cmdlets: the connection, reading cluster.yaml and the server, planning, secrets.</summary>
public abstract class DsClusterCmdlet : DsCmdlet
{
    /// <summary><para type="description">A DS connection (Connect-DsServer); default: the session's connection.</para></summary>
    [Parameter(HelpMessage = "A DS connection; default: the session's connection.")]
    public DsConnection? Connection { get; set; }

    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Reads cluster.yaml; reader warnings go to the warning stream.</summary>
    protected ClusterConfig LoadConfig(string path)
    {
        var config = ClusterConfigReader.ReadFile(ResolvePath(path));
        foreach (var w in config.Warnings) WriteWarning(w.Location + ": " + w.Message);
        WriteVerbose($"Cluster config '{config.File}': {config.Resources.Length} resource(s).");
        return config;
    }

    /// <summary>The server's resources (files the config declares are downloaded and hashed for comparison).</summary>
    protected ClusterServerState ReadServer(DsConnection connection, ClusterConfig? desired)
    {
        WriteVerbose($"Reading the cluster resources of {connection.Name}.");
        var hash = desired?.OfKind(ClusterResourceKind.File).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return Await(ClusterStateReader.ReadAsync(connection.Client, hash, CancellationToken));
    }

    /// <summary>
    /// The plan of <paramref name="desired"/> against the server (fields the server's DS version lacks are not compared);
    /// a config the server's version cannot take is refused first (ClusterVersionSupport).
    /// </summary>
    /// <param name="connection">The server.</param>
    /// <param name="desired">The config.</param>
    /// <param name="server">The server's resources.</param>
    /// <param name="prune">Plan deletes.</param>
    /// <param name="statePath">Last-applied state (drift), or null.</param>
    /// <param name="updateSecrets">-UpdateSecrets patterns (refused when one selects no resource with secrets).</param>
    protected ClusterPlan MakePlan(DsConnection connection, ClusterConfig desired, ClusterServerState server, bool prune, string? statePath, IReadOnlyList<string>? updateSecrets = null)
    {
        ClusterVersionSupport.EnsureSupported(desired, connection.Dialect);
        updateSecrets ??= Array.Empty<string>();
        if (updateSecrets.Count > 0) ClusterPlanner.CheckSecretTargets(desired, updateSecrets);
        foreach (var finding in ClusterPlanner.CheckAgainstServer(desired, connection.Dialect)) WriteWarning(finding.Location + ": " + finding.Message);
        return ClusterPlanner.Plan(desired, server.Config, new ClusterPlanOptions
        {
            Prune = prune, State = statePath is null ? null : ClusterAppliedState.Load(statePath), Unsupported = ClusterPlanOptions.UnsupportedFields(connection.Dialect),
            UpdateSecrets = updateSecrets, SecretDigest = SecretDigests(),
        });
    }

    /// <summary>
    /// Fingerprints of secret values for the planner (resolved on the pipeline thread, when asked, registered for
    /// masking); a reference that does not resolve now (unset variable, no SecretManagement) gives null: not compared.
    /// </summary>
    private Func<SecretReference, string?> SecretDigests()
    {
        var cache = new Dictionary<SecretReference, string?>();
        return reference =>
        {
            if (cache.TryGetValue(reference, out var known)) return known;
            string? value;
            try
            {
                value = reference.Source == SecretSource.Environment ? System.Environment.GetEnvironmentVariable(reference.Name) : GetSecret(reference.Name);
            }
            catch (Exception ex) when (ex is DsOpsException or RuntimeException)
            {
                value = null;
            }
            SecretRegistry.Register(value);
            return cache[reference] = ClusterStateReader.SecretDigest(value);
        };
    }

    /// <summary>The state file beside the config (or -StatePath), null with -NoState.</summary>
    protected string? StateFile(string configPath, string? statePath, bool noState) =>
        noState ? null : statePath is not null ? ResolvePath(statePath)
        : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ResolvePath(configPath)) ?? ".", ClusterAppliedState.DefaultFileName);

    /// <summary>
    /// Resolves the secret references of the given resources on the pipeline thread (SecretManagement's Get-Secret
    /// cannot be called from the engine's threads). Every value is registered for masking at once. Unset references are
    /// left out; the applier then fails that resource with DsClusterSecretNotFound, naming the reference.
    /// </summary>
    protected Func<SecretReference, string?> ResolveSecrets(IEnumerable<ClusterResource> resources)
    {
        var values = new Dictionary<SecretReference, string?>();
        foreach (var reference in resources.SelectMany(r => r.Secrets.Values).Distinct())
        {
            var value = reference.Source == SecretSource.Environment ? System.Environment.GetEnvironmentVariable(reference.Name) : GetSecret(reference.Name);
            SecretRegistry.Register(value);
            values[reference] = value;
        }
        return r => values.GetValueOrDefault(r);
    }

    private string? GetSecret(string name)
    {
        if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) is null)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsSecretManagementMissing",
                $"${{secret:{name}}} needs the Microsoft.PowerShell.SecretManagement module (Get-Secret) with a registered vault; install and import it, or use ${{env:NAME}}.");
        var output = InvokeCommand.InvokeScript("param($n) Get-Secret -Name $n -AsPlainText -ErrorAction Stop", false, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, name);
        return output.Count == 0 ? null : output[0]?.BaseObject switch
        {
            string s => s,
            System.Security.SecureString ss => new System.Net.NetworkCredential("", ss).Password,
            var o => o?.ToString(),
        };
    }

    /// <summary>
    /// Applies a plan: asks ShouldProcess per resource (deletes once more unless -Force), resolves the secrets of the
    /// approved ones, applies with progress, re-reads the server and records the applied state. Returns the results.
    /// </summary>
    protected IReadOnlyList<ClusterApplyResult> ApplyPlan(DsConnection connection, ClusterConfig desired, ClusterServerState server, ClusterPlan plan,
        string? statePath, bool force, bool testConnections, string activity)
    {
        var approved = new HashSet<string>(StringComparer.Ordinal);
        var deletes = plan.Items.Count(i => i.Action == PlanAction.Delete);
        var confirmDeletes = deletes == 0 || force || WhatIfRequested || ConfirmDeclined ||
                             ShouldContinue($"Delete {deletes} cluster resource(s) that are not in the config?", "Confirm deletes");
        foreach (var item in plan.Changes)
        {
            var action = $"{item.Action} {item.Kind}" + (item.Changes.Length > 0 ? $" ({string.Join(", ", item.Changes.Select(c => c.Field))})" : "") +
                         (item.Drift ? " [overwrites changes made outside DsOps]" : "");
            if ((item.Action != PlanAction.Delete || confirmDeletes) && ShouldProcess(item.Target, action)) approved.Add(item.Target);
        }
        var resolve = ResolveSecrets(desired.Resources.Where(r => approved.Contains(r.Key)));
        var applier = new ClusterApplier(connection.Client, server, desired);
        var results = AwaitWithProgress<IReadOnlyList<ClusterApplyResult>, ClusterApplyProgress>(
            progress => applier.ApplyAsync(plan, new ClusterApplyOptions { ResolveSecret = resolve, TestConnections = testConnections, Approved = approved }, progress, CancellationToken),
            p => new ProgressRecord(3, activity, $"{p.Done} of {p.Total} resources: {p.Current}") { PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total });
        WriteProgress(new ProgressRecord(3, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (statePath is not null && results.Any(r => r.Status == ClusterApplyStatus.Applied))
        {
            var state = ClusterAppliedState.Load(statePath);
            var after = ReadServer(connection, desired);
            state.Record(after.Config.Resources.Where(r => desired.Find(r.Kind, r.Name) is not null));
            foreach (var d in results.Where(r => r.Action == PlanAction.Delete && r.Status == ClusterApplyStatus.Applied)) state.Forget(d.Target);
            state.Save(statePath);
        }
        return results;
    }

    protected void WriteResults(IReadOnlyList<ClusterApplyResult> results, bool includeUnchanged, string activity, DsConnection connection)
    {
        foreach (var r in results)
        {
            if (r.Status == ClusterApplyStatus.Failed) WriteDsError(r.Error ?? new InvalidOperationException(r.Message), r.Target, "DsSyncClusterResourceFailed");
            if (r.Status != ClusterApplyStatus.Unchanged || includeUnchanged)
                WriteObject(r.Status == ClusterApplyStatus.Skipped && WhatIfRequested ? new ClusterApplyResult
                {
                    Kind = r.Kind, Name = r.Name, Action = r.Action, Status = r.Status, Changes = r.Changes, Drift = r.Drift, Message = "WhatIf",
                } : r);
        }
        var summary = $"{results.Count(r => r.Status == ClusterApplyStatus.Applied)} applied, {results.Count(r => r.Status == ClusterApplyStatus.Unchanged)} unchanged, " +
                      $"{results.Count(r => r.Status == ClusterApplyStatus.Failed)} failed, {results.Count(r => r.Status == ClusterApplyStatus.Skipped)} skipped; {connection.Client.Statistics}";
        WriteVerbose(summary);
        WriteInformation(new InformationRecord(summary, activity));
    }

    private bool ConfirmDeclined => MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && c is SwitchParameter s && !s.ToBool();

    // -WhatIf (or -WhatIf:$false) when given, else $WhatIfPreference of the caller, as ShouldProcess itself decides.
    protected bool WhatIfRequested => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
        ? w is SwitchParameter s && s.ToBool()
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Api;
using DsOps.Engine.Planning;

namespace DsOps.Engine.Clusters;

public enum ClusterApplyStatus { Applied, Unchanged, Failed, Skipped }

/// <summary>What happened to one resource of a cluster plan.</summary>
public sealed class ClusterApplyResult
{
    public required ClusterResourceKind Kind { get; init; }
    public required string Name { get; init; }
    public required PlanAction Action { get; init; }
    public required ClusterApplyStatus Status { get; init; }
    /// <summary>Changed fields with before/after (secrets as references only).</summary>
    public string? Changes { get; init; }
    public bool Drift { get; init; }
    public string? Message { get; init; }
    public Exception? Error { get; init; }
    public string Target => Kind + "/" + Name;
    public override string ToString() => $"{Status} {Action} {Target}" + (Message is null ? "" : ": " + Message);
}

public sealed record ClusterApplyProgress(int Done, int Total, string Current);

public sealed record ClusterApplyOptions
{
    /// <summary>Resolves a secret reference to its value (environment variable or SecretManagement); null = not found.</summary>
    public required Func<SecretReference, string?> ResolveSecret { get; init; }
    /// <summary>Run DS's own connection test for every data source written (besides those with testConnection: true).</summary>
    public bool TestConnections { get; init; }
    /// <summary>Targets ("Kind/name") the caller approved (ShouldProcess); null = all.</summary>
    public IReadOnlySet<string>? Approved { get; init; }
}

/// <summary>
/// Applies a cluster plan in its order through DS's own routes (docs/clusters-as-config.md lists them per version).
/// A failed resource is reported and the rest proceed (a user whose tenant failed fails too); a rerun converges.
/// Secret values are resolved just before the request that needs them and registered for masking; they are never
/// kept in results or messages.
/// </summary>
internal sealed class ClusterApplier
{
    private readonly DsClient _client;
    private readonly ClusterServerState _server;
    private readonly ClusterConfig _desired;

    public ClusterApplier(DsClient client, ClusterServerState server, ClusterConfig desired)
    {
        _client = client;
        _server = server;
        _desired = desired;
    }

    public async Task<IReadOnlyList<ClusterApplyResult>> ApplyAsync(ClusterPlan plan, ClusterApplyOptions options, IProgress<ClusterApplyProgress>? progress = null, CancellationToken ct = default)
    {
        var results = new List<ClusterApplyResult>();
        var work = plan.Items.Where(i => i.Action != PlanAction.Unchanged).ToList();
        var done = 0;
        var grantsChanged = false;
        foreach (var item in plan.Items)
        {
            ct.ThrowIfCancellationRequested();
            if (item.Action == PlanAction.Unchanged)
            {
                results.Add(Result(item, ClusterApplyStatus.Unchanged, null));
                continue;
            }
            progress?.Report(new ClusterApplyProgress(done, work.Count, item.Target));
            if (options.Approved is not null && !options.Approved.Contains(item.Target))
            {
                results.Add(Result(item, ClusterApplyStatus.Skipped, "declined"));
                done++;
                continue;
            }
            try
            {
                var note = await ApplyItemAsync(item, options, ct).ConfigureAwait(false);
                if (item.Kind == ClusterResourceKind.Project && item.Changes.Any(c => c.Field == "users")) grantsChanged = true;
                if (item.Kind == ClusterResourceKind.User && item.Action == PlanAction.Create) grantsChanged = true;
                results.Add(Result(item, ClusterApplyStatus.Applied, note));
            }
            catch (Exception ex) when (ex is DsOpsException or HttpRequestException)
            {
                results.Add(new ClusterApplyResult
                {
                    Kind = item.Kind, Name = item.Name, Action = item.Action, Status = ClusterApplyStatus.Failed, Changes = item.ChangeSummary,
                    Message = SecretRegistry.Redact(ex.Message), Error = ex, Drift = item.Drift,
                });
            }
            done++;
        }
        if (grantsChanged) await GrantProjectsAsync(options, results, ct).ConfigureAwait(false);
        progress?.Report(new ClusterApplyProgress(work.Count, work.Count, ""));
        return results;
    }

    private static ClusterApplyResult Result(ClusterPlanItem item, ClusterApplyStatus status, string? message) => new()
    {
        Kind = item.Kind, Name = item.Name, Action = item.Action, Status = status, Changes = item.Changes.Length == 0 ? null : item.ChangeSummary,
        Drift = item.Drift, Message = message,
    };

    private ClusterResource Want(ClusterPlanItem item) => _desired.Find(item.Kind, item.Name)
        ?? throw new DsOpsException(DsErrorKind.InvalidState, "DsClusterPlanInvalid", $"{item.Target} is not in the config.");

    private long Id(ClusterResourceKind kind, string name) =>
        _server.Ids[kind].TryGetValue(name, out var id) ? id
            : throw new DsOpsException(DsErrorKind.NotFound, "DsClusterReferenceNotFound", $"{kind} '{name}' does not exist on the server.");

    private string Secret(ClusterResource r, string field, bool required)
    {
        if (!r.Secrets.TryGetValue(field, out var reference))
            return required ? throw new DsOpsException(DsErrorKind.InvalidInput, "DsClusterSecretMissing", $"{r.Key} needs '{field}' (a secret reference) to be created.") : "";
        var value = _resolve!(reference) ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsClusterSecretNotFound",
            $"{r.Key}: {reference} is not set{(r.Location.IsKnown ? " (" + r.Location + ")" : "")}.");
        SecretRegistry.Register(value);
        return value;
    }

    private Func<SecretReference, string?>? _resolve;

    private static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    private async Task<string?> ApplyItemAsync(ClusterPlanItem item, ClusterApplyOptions options, CancellationToken ct)
    {
        _resolve = options.ResolveSecret;
        if (item.Action == PlanAction.Delete) return await DeleteAsync(item, ct).ConfigureAwait(false);
        var r = Want(item);
        var create = item.Action == PlanAction.Create;
        var ids = _server.Ids[item.Kind];
        string F(string key, string fallback = "") => r.Field(key) ?? fallback;
        switch (item.Kind)
        {
            case ClusterResourceKind.Queue:
            {
                var form = new Dictionary<string, string> { ["queue"] = F("queue", r.Name), ["queueName"] = r.Name };
                var json = create ? await _client.PostFormAsync("queues", form, ct).ConfigureAwait(false)
                    : await _client.PutFormAsync("queues/" + Inv(Id(item.Kind, r.Name)), form, ct).ConfigureAwait(false);
                ids[r.Name] = ClusterStateReader.Long(json, "id") is var id and > 0 ? id : ids.GetValueOrDefault(r.Name);
                if (!ids.ContainsKey(r.Name) || ids[r.Name] == 0) await RefreshAsync(item.Kind, "queues/list", "queueName", "id", ct).ConfigureAwait(false);
                return null;
            }
            case ClusterResourceKind.Tenant:
            {
                var form = new Dictionary<string, string>
                {
                    ["tenantCode"] = r.Name, ["queueId"] = Inv(Id(ClusterResourceKind.Queue, F("queue", "default"))), ["description"] = F("description"),
                };
                var json = create ? await _client.PostFormAsync("tenants", form, ct).ConfigureAwait(false)
                    : await _client.PutFormAsync("tenants/" + Inv(Id(item.Kind, r.Name)), form, ct).ConfigureAwait(false);
                if (ClusterStateReader.Long(json, "id") is var id and not 0) ids[r.Name] = id;
                else await RefreshAsync(item.Kind, "tenants/list", "tenantCode", "id", ct).ConfigureAwait(false);
                return null;
            }
            case ClusterResourceKind.User:
            {
                var queue = r.Field("queue") is { Length: > 0 } qn && _desired.Find(ClusterResourceKind.Queue, qn) is { } q ? q.Field("queue") ?? qn : r.Field("queue") ?? "";
                var form = new Dictionary<string, string>
                {
                    ["userName"] = r.Name, ["userPassword"] = Secret(r, "password", required: true), ["tenantId"] = Inv(Id(ClusterResourceKind.Tenant, F("tenant"))),
                    ["queue"] = queue, ["email"] = F("email"), ["phone"] = F("phone"), ["state"] = F("enabled", "true") == "false" ? "0" : "1",
                };
                if (create)
                {
                    var json = await _client.PostFormAsync("users/create", form, ct).ConfigureAwait(false);
                    ids[r.Name] = ClusterStateReader.Long(json, "id");
                    _server.UserProjects[r.Name] = new HashSet<string>(StringComparer.Ordinal);
                }
                else
                {
                    form["id"] = Inv(Id(item.Kind, r.Name));
                    await _client.PostFormAsync("users/update", form, ct).ConfigureAwait(false);
                }
                if (ids.GetValueOrDefault(r.Name) == 0)
                    await foreach (var u in _client.GetPagedJsonAsync("users/list-paging", new Dictionary<string, string> { ["searchVal"] = r.Name }, ct).ConfigureAwait(false))
                        if (ClusterStateReader.Str(u, "userName") == r.Name) ids[r.Name] = ClusterStateReader.Long(u, "id");
                return null;
            }
            case ClusterResourceKind.WorkerGroup:
            {
                var form = new Dictionary<string, string>
                {
                    ["id"] = create ? "0" : Inv(Id(item.Kind, r.Name)), ["name"] = r.Name, ["addrList"] = F("addresses"), ["description"] = F("description"),
                };
                var json = await _client.PostFormAsync("worker-groups", form, ct).ConfigureAwait(false);
                if (ClusterStateReader.Long(json, "id") is var id and > 0) ids[r.Name] = id;
                return null;
            }
            case ClusterResourceKind.Environment:
            {
                var form = new Dictionary<string, string>
                {
                    ["name"] = r.Name, ["config"] = F("config"), ["description"] = F("description"),
                    ["workerGroups"] = new JsonArray(F("workerGroups").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()).ToJsonString(),
                };
                if (create)
                {
                    var json = await _client.PostFormAsync("environment/create", form, ct).ConfigureAwait(false);
                    ids[r.Name] = json.ValueKind == JsonValueKind.Number ? json.GetInt64() : 0;
                }
                else
                {
                    form["code"] = Inv(Id(item.Kind, r.Name));
                    await _client.PostFormAsync("environment/update", form, ct).ConfigureAwait(false);
                }
                return null;
            }
            case ClusterResourceKind.K8sCluster:
            {
                K8sSupported(r);
                var form = new Dictionary<string, string> { ["name"] = r.Name, ["config"] = Secret(r, "config", required: true), ["description"] = F("description") };
                if (create)
                {
                    var json = await _client.PostFormAsync("cluster/create", form, ct).ConfigureAwait(false);
                    if (json.ValueKind == JsonValueKind.Number) ids[r.Name] = json.GetInt64();
                    else await RefreshAsync(item.Kind, "cluster/query-cluster-list", "name", "code", ct).ConfigureAwait(false);
                }
                else
                {
                    form["code"] = Inv(Id(item.Kind, r.Name));
                    await _client.PostFormAsync("cluster/update", form, ct).ConfigureAwait(false);
                }
                return null;
            }
            case ClusterResourceKind.K8sNamespace:
            {
                K8sSupported(r);
                var slash = r.Name.IndexOf('/');
                await _client.PostFormAsync("k8s-namespace", new Dictionary<string, string>
                {
                    ["namespace"] = r.Name[(slash + 1)..], ["clusterCode"] = Inv(Id(ClusterResourceKind.K8sCluster, r.Name[..slash])),
                }, ct).ConfigureAwait(false);
                return null;
            }
            case ClusterResourceKind.DataSource:
            {
                var body = new JsonObject { ["name"] = r.Name };
                foreach (var (k, v) in r.Fields)
                {
                    if (ClusterConfigReader.OptionFields.Contains(k)) continue;
                    body[k] = k == "other" ? JsonNode.Parse(v) : k == "port" && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : v;
                }
                foreach (var k in r.Secrets.Keys) body[k] = Secret(r, k, required: false);
                if (!create) body["id"] = Id(item.Kind, r.Name);
                var json = create ? await _client.SendJsonAsync(HttpMethod.Post, "datasources", body.ToJsonString(), ct).ConfigureAwait(false)
                    : await _client.SendJsonAsync(HttpMethod.Put, "datasources/" + Inv(Id(item.Kind, r.Name)), body.ToJsonString(), ct).ConfigureAwait(false);
                if (ClusterStateReader.Long(json, "id") is var id and > 0) ids[r.Name] = id;
                else
                    await foreach (var d in _client.GetPagedJsonAsync("datasources", new Dictionary<string, string> { ["searchVal"] = r.Name }, ct).ConfigureAwait(false))
                        if (ClusterStateReader.Str(d, "name") == r.Name) ids[r.Name] = ClusterStateReader.Long(d, "id");
                if (options.TestConnections || F("testConnection") == "true")
                {
                    await _client.GetJsonAsync($"datasources/{Inv(Id(item.Kind, r.Name))}/connect-test", ct: ct).ConfigureAwait(false);
                    return "connection test passed";
                }
                return null;
            }
            case ClusterResourceKind.AlertInstance:
            {
                var plugin = F("plugin");
                if (!_server.AlertPlugins.TryGetValue(plugin, out var define))
                    throw new DsOpsException(DsErrorKind.NotFound, "DsClusterReferenceNotFound",
                        $"{r.Key}: alert plugin '{plugin}' is not registered on the server (it has: {string.Join(", ", _server.AlertPlugins.Keys.Order())}).");
                var form = new Dictionary<string, string>
                {
                    ["instanceName"] = r.Name, ["pluginInstanceParams"] = FillForm(r, define.Form),
                };
                if (_client.Dialect.AlertInstanceHasTypes) form["warningType"] = F("warningType", "ALL");
                if (create)
                {
                    form["pluginDefineId"] = Inv(define.Id);
                    if (_client.Dialect.AlertInstanceHasTypes) form["instanceType"] = F("instanceType", "NORMAL");
                    var json = await _client.PostFormAsync("alert-plugin-instances", form, ct).ConfigureAwait(false);
                    ids[r.Name] = ClusterStateReader.Long(json, "id");
                }
                else await _client.PutFormAsync("alert-plugin-instances/" + Inv(Id(item.Kind, r.Name)), form, ct).ConfigureAwait(false);
                return null;
            }
            case ClusterResourceKind.AlertGroup:
            {
                var form = new Dictionary<string, string>
                {
                    ["groupName"] = r.Name, ["description"] = F("description"),
                    ["alertInstanceIds"] = string.Join(",", F("instances").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => Inv(Id(ClusterResourceKind.AlertInstance, n)))),
                };
                var json = create ? await _client.PostFormAsync("alert-groups", form, ct).ConfigureAwait(false)
                    : await _client.PutFormAsync("alert-groups/" + Inv(Id(item.Kind, r.Name)), form, ct).ConfigureAwait(false);
                if (ClusterStateReader.Long(json, "id") is var id and > 0) ids[r.Name] = id;
                return null;
            }
            case ClusterResourceKind.Project:
            {
                if (create)
                {
                    var p = await _client.CreateProjectAsync(r.Name, F("description"), ct).ConfigureAwait(false);
                    ids[r.Name] = p.ProjectCode;
                    await foreach (var row in _client.GetPagedJsonAsync("projects", new Dictionary<string, string> { ["searchVal"] = r.Name }, ct).ConfigureAwait(false))
                        if (ClusterStateReader.Str(row, "name") == r.Name) _server.ProjectIds[r.Name] = ClusterStateReader.Long(row, "id");
                }
                else if (item.Changes.Any(c => c.Field != "users"))
                {
                    var form = new Dictionary<string, string> { ["projectName"] = r.Name, ["description"] = F("description") };
                    if (_client.Dialect.ProjectUpdateRequiresUserName) form["userName"] = "admin";
                    await _client.PutFormAsync("projects/" + Inv(Id(item.Kind, r.Name)), form, ct).ConfigureAwait(false);
                }
                return item.Changes.Any(c => c.Field == "users") ? "user permissions are granted after all projects" : null;
            }
            case ClusterResourceKind.File:
                return await UploadAsync(r, create, ct).ConfigureAwait(false);
            default:
                throw new ArgumentOutOfRangeException(nameof(item));
        }
    }

    private void K8sSupported(ClusterResource r)
    {
        if (!_client.Dialect.K8sClustersAsResources)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsK8sClustersUnsupported",
                $"{r.Key}: k8s clusters and namespaces are managed on DS 3.1 and later (3.0 names the cluster inside each namespace).");
    }

    private async Task RefreshAsync(ClusterResourceKind kind, string listPath, string nameKey, string idKey, CancellationToken ct)
    {
        foreach (var e in ClusterStateReader.Items(await _client.GetJsonAsync(listPath, ct: ct).ConfigureAwait(false)))
            _server.Ids[kind][ClusterStateReader.Str(e, nameKey) ?? ""] = ClusterStateReader.Long(e, idKey);
    }

    /// <summary>The plugin's UI form with this instance's values (DS stores the field → value map of it).</summary>
    private string FillForm(ClusterResource r, string template)
    {
        var form = JsonNode.Parse(template) as JsonArray ?? new JsonArray();
        var values = r.Fields.Where(f => f.Key.StartsWith("params.", StringComparison.Ordinal)).ToDictionary(f => f.Key[7..], f => f.Value, StringComparer.Ordinal);
        foreach (var k in r.Secrets.Keys.Where(k => k.StartsWith("params.", StringComparison.Ordinal))) values[k[7..]] = Secret(r, k, required: false);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in form.OfType<JsonObject>())
        {
            var field = o["field"]?.GetValue<string>() ?? "";
            known.Add(field);
            if (values.TryGetValue(field, out var v)) o["value"] = v;
        }
        var unknown = values.Keys.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsClusterConfigInvalid",
                $"{r.Key}{(r.Location.IsKnown ? " (" + r.Location + ")" : "")}: plugin '{r.Field("plugin")}' has no field {string.Join(", ", unknown.Select(u => "'" + u + "'"))} (it has: {string.Join(", ", known)}).");
        return form.ToJsonString();
    }

    private async Task<string?> DeleteAsync(ClusterPlanItem item, CancellationToken ct)
    {
        var id = item.Kind == ClusterResourceKind.File ? 0 : Id(item.Kind, item.Name);
        switch (item.Kind)
        {
            case ClusterResourceKind.Queue: await _client.DeleteAsync("queues/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.Tenant: await _client.DeleteAsync("tenants/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.User: await _client.PostFormAsync("users/delete", new Dictionary<string, string> { ["id"] = Inv(id) }, ct).ConfigureAwait(false); break;
            case ClusterResourceKind.WorkerGroup: await _client.DeleteAsync("worker-groups/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.Environment: await _client.PostFormAsync("environment/delete", new Dictionary<string, string> { ["environmentCode"] = Inv(id) }, ct).ConfigureAwait(false); break;
            case ClusterResourceKind.DataSource: await _client.DeleteAsync("datasources/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.AlertInstance: await _client.DeleteAsync("alert-plugin-instances/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.AlertGroup: await _client.DeleteAsync("alert-groups/" + Inv(id), ct: ct).ConfigureAwait(false); break;
            case ClusterResourceKind.K8sCluster:
                await _client.PostFormAsync("cluster/delete", new Dictionary<string, string> { ["clusterCode"] = Inv(id) }, ct).ConfigureAwait(false);
                break;
            case ClusterResourceKind.K8sNamespace:
                await _client.PostFormAsync("k8s-namespace/delete", new Dictionary<string, string> { ["id"] = Inv(id) }, ct).ConfigureAwait(false);
                break;
            case ClusterResourceKind.File:
            {
                var file = _server.Files[item.Name];
                var q = new Dictionary<string, string> { ["fullName"] = file.FullName };
                if (_client.Dialect.ResourceRoutesTakeTenant) q["tenantCode"] = "";
                await _client.DeleteAsync("resources", q, ct).ConfigureAwait(false);
                break;
            }
            default: throw new DsOpsException(DsErrorKind.InvalidInput, "DsClusterPruneRefused", $"{item.Target}: DsOps does not delete {item.Kind} resources.");
        }
        _server.Ids[item.Kind].Remove(item.Name);
        return null;
    }

    /// <summary>Uploads a file to the resource center (3.2+), creating its folders; updates replace the content in place.</summary>
    private async Task<string?> UploadAsync(ClusterResource r, bool create, CancellationToken ct)
    {
        if (!_client.Dialect.ResourceCenterByPath || _server.ResourceBase is null)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsResourceCenterUnsupported",
                $"{r.Key}: files are managed through the path-based resource center of DS 3.2 and later{(_server.ResourceCenterNote is null ? "" : "; " + _server.ResourceCenterNote)}.");
        var bytes = await System.IO.File.ReadAllBytesAsync(r.LocalPath!, ct).ConfigureAwait(false);
        var parts = r.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var baseDir = _server.ResourceBase.TrimEnd('/');
        var dir = baseDir;
        var known = new HashSet<string>(_server.Files.Values.Select(f => f.FullName[..Math.Max(0, f.FullName.LastIndexOf('/'))]), StringComparer.Ordinal) { baseDir };
        foreach (var folder in parts[..^1])
        {
            var next = dir + "/" + folder;
            if (!known.Contains(next))
            {
                try
                {
                    await _client.PostFormAsync("resources/directory", new Dictionary<string, string> { ["type"] = "FILE", ["name"] = folder, ["currentDir"] = dir + "/", ["pid"] = "-1" }, ct).ConfigureAwait(false);
                }
                catch (DsApiException ex) when (ex.DsCode == 20005)
                {
                    // RESOURCE_EXIST: made by an earlier file of this run.
                }
                known.Add(next);
            }
            dir = next;
        }
        if (create)
            await _client.SendFileAsync(HttpMethod.Post, "resources", new Dictionary<string, string> { ["type"] = "FILE", ["name"] = parts[^1], ["currentDir"] = dir + "/" },
                parts[^1], bytes, ct).ConfigureAwait(false);
        else
        {
            var fields = new Dictionary<string, string> { ["fullName"] = _server.Files[r.Name].FullName, ["name"] = parts[^1], ["type"] = "FILE" };
            if (_client.Dialect.ResourceRoutesTakeTenant) fields["tenantCode"] = "";
            await _client.SendFileAsync(HttpMethod.Put, "resources", fields, parts[^1], bytes, ct).ConfigureAwait(false);
        }
        return $"{bytes.Length:N0} bytes uploaded";
    }

    /// <summary>
    /// Project permissions: DS's grant-project replaces a user's whole project list, so each affected user gets the
    /// projects the config grants plus the projects it does not manage that the user already had.
    /// </summary>
    private async Task GrantProjectsAsync(ClusterApplyOptions options, List<ClusterApplyResult> results, CancellationToken ct)
    {
        var managed = _desired.OfKind(ClusterResourceKind.Project).Where(p => p.Fields.ContainsKey("users")).ToList();
        if (managed.Count == 0) return;
        var managedNames = managed.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var users = managed.SelectMany(p => p.Field("users")!.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Concat(_server.UserProjects.Where(u => u.Value.Overlaps(managedNames)).Select(u => u.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (!_server.Ids[ClusterResourceKind.User].TryGetValue(user, out var userId) || userId == 0) continue;
            var had = _server.UserProjects.GetValueOrDefault(user) ?? new HashSet<string>(StringComparer.Ordinal);
            var want = had.Where(p => !managedNames.Contains(p))
                .Concat(managed.Where(p => p.Field("users")!.Split(',').Contains(user, StringComparer.Ordinal)).Select(p => p.Name)).ToHashSet(StringComparer.Ordinal);
            if (want.SetEquals(had)) continue;
            var targets = managed.Where(p => had.Contains(p.Name) != want.Contains(p.Name)).Select(p => ClusterResourceKind.Project + "/" + p.Name).ToList();
            if (options.Approved is not null && !targets.All(options.Approved.Contains)) continue;
            try
            {
                var projectIds = want.Where(_server.ProjectIds.ContainsKey).Select(p => Inv(_server.ProjectIds[p]));
                await _client.PostFormAsync("users/grant-project", new Dictionary<string, string> { ["userId"] = Inv(userId), ["projectIds"] = string.Join(",", projectIds) }, ct).ConfigureAwait(false);
                _server.UserProjects[user] = want;
            }
            catch (DsOpsException ex)
            {
                results.Add(new ClusterApplyResult
                {
                    Kind = ClusterResourceKind.User, Name = user, Action = PlanAction.Update, Status = ClusterApplyStatus.Failed,
                    Message = "granting projects failed: " + SecretRegistry.Redact(ex.Message), Error = ex,
                });
            }
        }
    }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Api;
using DsOps.Engine.Specs.Documents;

namespace DsOps.Engine.Clusters;

/// <summary>A file of DS's resource center as listed (full storage path, size).</summary>
internal sealed record ClusterServerFile(string Name, string FullName, long Size);

/// <summary>
/// The server's cluster resources read once: as a <see cref="ClusterConfig"/> (for plans, comparison and export) and
/// the ids DS's write routes need. Secrets DS holds (data source passwords, user passwords, alert plugin secrets) appear
/// only as references named after the resource (<c>${env:DSOPS_DATASOURCE_ODS_PASSWORD}</c>): their values are never read
/// into the model.
/// </summary>
public sealed class ClusterServerState
{
    public ClusterConfig Config { get; internal set; } = new(Array.Empty<ClusterResource>());

    /// <summary>Ids by kind and name: queue/tenant/user/worker group/data source/alert instance/alert group ids, environment and project codes.</summary>
    internal Dictionary<ClusterResourceKind, Dictionary<string, long>> Ids { get; } = Enum.GetValues<ClusterResourceKind>().ToDictionary(k => k, _ => new Dictionary<string, long>(StringComparer.Ordinal));

    /// <summary>Project ids (grant-project takes ids, not codes).</summary>
    internal Dictionary<string, long> ProjectIds { get; } = new(StringComparer.Ordinal);

    /// <summary>User name → names of the projects granted to the user.</summary>
    internal Dictionary<string, HashSet<string>> UserProjects { get; } = new(StringComparer.Ordinal);

    /// <summary>Alert plugin name → (plugin define id, UI form template).</summary>
    internal Dictionary<string, (int Id, string Form)> AlertPlugins { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Resource center base directory (3.2+), null when DS has no path-based resource center.</summary>
    public string? ResourceBase { get; internal set; }

    internal IReadOnlyDictionary<string, ClusterServerFile> Files { get; set; } = new Dictionary<string, ClusterServerFile>();

    /// <summary>The admin user's tenant was missing when files were listed (DS refuses resource routes then).</summary>
    public string? ResourceCenterNote { get; internal set; }

    /// <summary>Canonical fingerprint of the state a plan was made against (saved plans refuse when it moved).</summary>
    public string Fingerprint => ClusterConfigWriter.Fingerprint(Config);
}

/// <summary>Reads a server's cluster resources (about one request per kind, one per user for project grants).</summary>
internal static class ClusterStateReader
{
    /// <summary>The name of the reference an export writes for a secret the server holds.</summary>
    public static SecretReference ExportReference(ClusterResourceKind kind, string name, string field) =>
        new(SecretSource.Environment, "DSOPS_" + Upper(kind.ToString()) + "_" + Upper(name) + "_" + Upper(field.Replace("params.", "", StringComparison.Ordinal)));

    // A key made once per process: digests are comparable within one process (one Compare-DsCluster run) and useless
    // for guessing a secret offline, since the key is never shown or stored.
    private static readonly byte[] DigestKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>
    /// "fp:" and 12 hex digits of an HMAC-SHA256 of a secret value under a per-process random key: equal values give
    /// equal digests within this process, and the digest reveals nothing about the value. Masked values (only '*') give null.
    /// </summary>
    public static string? SecretDigest(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.All(c => c == '*')) return null;
        var mac = System.Security.Cryptography.HMACSHA256.HashData(DigestKey, System.Text.Encoding.UTF8.GetBytes(value));
        return "fp:" + Convert.ToHexString(mac, 0, 6).ToLowerInvariant();
    }

    private static string Upper(string s) => new(s.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    /// <param name="client">The server.</param>
    /// <param name="hashFiles">Names of resource-center files whose content to download and hash (files the config declares);
    /// others are listed by size only.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<ClusterServerState> ReadAsync(DsClient client, IReadOnlyCollection<string>? hashFiles = null, CancellationToken ct = default)
    {
        var resources = new List<ClusterResource>();
        var state = new ClusterServerState();
        ClusterResource Add(ClusterResourceKind kind, string name, long id, IEnumerable<(string Key, string? Value)> fields, IEnumerable<string>? secretFields = null,
            IEnumerable<(string Key, string? Digest)>? digests = null)
        {
            var r = new ClusterResource
            {
                Kind = kind, Name = name,
                Fields = fields.Where(f => !string.IsNullOrEmpty(f.Value)).ToImmutableSortedDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal),
                Secrets = (secretFields ?? Array.Empty<string>()).ToImmutableSortedDictionary(f => f, f => ExportReference(kind, name, f), StringComparer.Ordinal),
                SecretDigests = (digests ?? Array.Empty<(string, string?)>()).Where(d => d.Digest is not null)
                    .ToImmutableSortedDictionary(d => d.Key, d => d.Digest!, StringComparer.Ordinal),
            };
            resources.Add(r);
            state.Ids[kind][name] = id;
            return r;
        }

        // Queues and tenants.
        var queues = await client.GetJsonAsync("queues/list", ct: ct).ConfigureAwait(false);
        var queueNameById = new Dictionary<long, string>();
        foreach (var q in Items(queues))
        {
            var name = Str(q, "queueName") ?? "";
            queueNameById[Long(q, "id")] = name;
            Add(ClusterResourceKind.Queue, name, Long(q, "id"), new[] { ("queue", Str(q, "queue")) });
        }
        foreach (var t in Items(await client.GetJsonAsync("tenants/list", ct: ct).ConfigureAwait(false)))
            Add(ClusterResourceKind.Tenant, Str(t, "tenantCode") ?? "", Long(t, "id"), new[]
            {
                ("queue", Str(t, "queueName") ?? (queueNameById.TryGetValue(Long(t, "queueId"), out var qn) ? qn : null)), ("description", Str(t, "description")),
            });

        // Users (general users; the admin user is DS's own and is never managed).
        var users = new List<(long Id, string Name)>();
        await foreach (var u in client.GetPagedJsonAsync("users/list-paging", ct: ct).ConfigureAwait(false))
        {
            if (Str(u, "userType") == "ADMIN_USER") continue;
            var name = Str(u, "userName") ?? "";
            users.Add((Long(u, "id"), name));
            Add(ClusterResourceKind.User, name, Long(u, "id"), new[]
            {
                ("email", Str(u, "email")), ("tenant", Str(u, "tenantCode")), ("queue", Str(u, "queueName") ?? Str(u, "queue")), ("phone", Str(u, "phone")),
                ("enabled", Long(u, "state") == 0 ? "false" : "true"),
            }, new[] { "password" });
        }

        await foreach (var w in client.GetPagedJsonAsync("worker-groups", ct: ct).ConfigureAwait(false))
        {
            if (w.TryGetProperty("systemDefault", out var sd) && sd.ValueKind == JsonValueKind.True) continue;
            Add(ClusterResourceKind.WorkerGroup, Str(w, "name") ?? "", Long(w, "id"), new[]
            {
                ("addresses", SortedList((Str(w, "addrList") ?? "").Split(','))), ("description", Str(w, "description")),
            });
        }

        await foreach (var e in client.GetPagedJsonAsync("environment/list-paging", ct: ct).ConfigureAwait(false))
            Add(ClusterResourceKind.Environment, Str(e, "name") ?? "", Long(e, "code"), new[]
            {
                ("config", Str(e, "config")), ("description", Str(e, "description")),
                ("workerGroups", SortedList(Items(e.TryGetProperty("workerGroups", out var g) ? g : default).Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : ""))),
            });

        // k8s clusters and their namespaces (3.1+). The cluster config (kube config) is a secret: only its fingerprint is kept.
        if (client.Dialect.K8sClustersAsResources)
        {
            var clusterNames = new Dictionary<long, string>();
            foreach (var k in Items(await client.GetJsonAsync("cluster/query-cluster-list", ct: ct).ConfigureAwait(false)))
            {
                var name = Str(k, "name") ?? "";
                clusterNames[Long(k, "code")] = name;
                Add(ClusterResourceKind.K8sCluster, name, Long(k, "code"), new[] { ("description", Str(k, "description")) }, new[] { "config" },
                    new[] { ("config", SecretDigest(Str(k, "config"))) });
            }
            await foreach (var n in client.GetPagedJsonAsync("k8s-namespace", ct: ct).ConfigureAwait(false))
            {
                var cluster = clusterNames.TryGetValue(Long(n, "clusterCode"), out var cn) ? cn : "#" + Long(n, "clusterCode").ToString(CultureInfo.InvariantCulture);
                Add(ClusterResourceKind.K8sNamespace, cluster + "/" + (Str(n, "namespace") ?? ""), Long(n, "id"), Array.Empty<(string, string?)>());
            }
        }

        // Data sources: the list has ids, the detail route the connection fields (password masked by DS).
        var dataSourceIds = new List<long>();
        await foreach (var d in client.GetPagedJsonAsync("datasources", ct: ct).ConfigureAwait(false)) dataSourceIds.Add(Long(d, "id"));
        foreach (var id in dataSourceIds)
        {
            var d = await client.GetJsonAsync("datasources/" + id.ToString(CultureInfo.InvariantCulture), ct: ct).ConfigureAwait(false);
            var fields = new List<(string, string?)>();
            var secrets = new List<string> { "password" };
            var digests = new List<(string, string?)>();
            foreach (var p in d.EnumerateObject())
            {
                if (p.Name is "id" or "name") continue;
                if (p.Name == "password" || ClusterConfigReader.IsSecretField(p.Name))
                {
                    if (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Length > 0)
                    {
                        if (p.Name != "password") secrets.Add(p.Name);
                        digests.Add((p.Name, SecretDigest(p.Value.GetString())));
                    }
                    continue;
                }
                if (p.Name == "other")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object && p.Value.EnumerateObject().Any())
                        fields.Add(("other", CanonicalJson.Canonicalize(new JsonObject(p.Value.EnumerateObject().Select(o => KeyValuePair.Create(o.Name, (JsonNode?)JsonValue.Create(Text(o.Value))))))));
                    continue;
                }
                if (Text(p.Value) is { } v) fields.Add((p.Name, v));
            }
            Add(ClusterResourceKind.DataSource, Str(d, "name") ?? "", id, fields, secrets, digests);
        }

        // Alert plugins, their instances and the alert groups.
        foreach (var p in Items(await client.GetJsonAsync("ui-plugins/query-by-type", new Dictionary<string, string> { ["pluginType"] = "ALERT" }, ct).ConfigureAwait(false)))
            state.AlertPlugins[Str(p, "pluginName") ?? ""] = ((int)Long(p, "id"), Str(p, "pluginParams") ?? "[]");
        var instanceNames = new Dictionary<long, string>();
        foreach (var i in Items(await client.GetJsonAsync("alert-plugin-instances/list", ct: ct).ConfigureAwait(false)))
        {
            var name = Str(i, "instanceName") ?? "";
            instanceNames[Long(i, "id")] = name;
            var fields = new List<(string, string?)> { ("plugin", Str(i, "alertPluginName")), ("warningType", Str(i, "warningType")), ("instanceType", Str(i, "instanceType")) };
            var secrets = new List<string>();
            var digests = new List<(string, string?)>();
            foreach (var (field, value) in FormValues(Str(i, "pluginInstanceParams")))
            {
                if (string.IsNullOrEmpty(value)) continue;
                if (ClusterConfigReader.IsSecretField(field))
                {
                    secrets.Add("params." + field);
                    digests.Add(("params." + field, SecretDigest(value)));
                }
                else fields.Add(("params." + field, value));
            }
            Add(ClusterResourceKind.AlertInstance, name, Long(i, "id"), fields, secrets, digests);
        }
        foreach (var g in Items(await client.GetJsonAsync("alert-groups/list", ct: ct).ConfigureAwait(false)))
            Add(ClusterResourceKind.AlertGroup, Str(g, "groupName") ?? "", Long(g, "id"), new[]
            {
                ("description", Str(g, "description")),
                ("instances", SortedList((Str(g, "alertInstanceIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Select(x => long.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && instanceNames.TryGetValue(n, out var nm) ? nm : "#" + x.Trim()))),
            });

        // Projects and their users (one authed-project request per general user).
        var projectNamesById = new Dictionary<long, string>();
        var projects = new List<JsonElement>();
        await foreach (var p in client.GetPagedJsonAsync("projects", ct: ct).ConfigureAwait(false))
        {
            projects.Add(p);
            var name = Str(p, "name") ?? "";
            projectNamesById[Long(p, "id")] = name;
            state.ProjectIds[name] = Long(p, "id");
        }
        var usersOf = projects.ToDictionary(p => Str(p, "name") ?? "", _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (userId, userName) in users)
        {
            var granted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in Items(await client.GetJsonAsync("projects/authed-project", new Dictionary<string, string> { ["userId"] = userId.ToString(CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false)))
                if (Str(p, "name") is { } pn && usersOf.TryGetValue(pn, out var list)) { list.Add(userName); granted.Add(pn); }
            state.UserProjects[userName] = granted;
        }
        foreach (var p in projects)
        {
            var name = Str(p, "name") ?? "";
            Add(ClusterResourceKind.Project, name, Long(p, "code"), new[] { ("description", Str(p, "description")), ("users", SortedList(usersOf[name])) });
        }

        // Resource center files (3.2+: path based).
        if (client.Dialect.ResourceCenterByPath)
        {
            var files = new Dictionary<string, ClusterServerFile>(StringComparer.Ordinal);
            try
            {
                var baseDir = await client.GetJsonAsync("resources/base-dir", new Dictionary<string, string> { ["type"] = "FILE" }, ct).ConfigureAwait(false);
                state.ResourceBase = baseDir.ValueKind == JsonValueKind.String ? baseDir.GetString() : null;
            }
            catch (DsApiException ex) when (ex.Kind is DsErrorKind.Business or DsErrorKind.NotFound)
            {
                state.ResourceCenterNote = "the resource center is not available: " + ex.Message;
            }
            if (state.ResourceBase is { } root)
            {
                var pending = new Queue<string>();
                pending.Enqueue(root);
                while (pending.Count > 0)
                {
                    var dir = pending.Dequeue();
                    await foreach (var f in client.GetPagedJsonAsync("resources", ResourceQuery(client, dir), ct).ConfigureAwait(false))
                    {
                        var full = Str(f, "fullName") ?? "";
                        if (f.TryGetProperty("directory", out var isDir) && isDir.ValueKind == JsonValueKind.True) { pending.Enqueue(full); continue; }
                        var rel = full.StartsWith(root, StringComparison.Ordinal) ? full[root.Length..].TrimStart('/') : full;
                        files[rel] = new ClusterServerFile(rel, full, Long(f, "size"));
                    }
                }
                state.Files = files;
                foreach (var file in files.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    string? hash = null;
                    if (hashFiles?.Contains(file.Name) == true)
                        hash = ClusterConfigReader.Sha256(await ClusterResourceFiles.DownloadAsync(client, state, file.Name, ct).ConfigureAwait(false));
                    Add(ClusterResourceKind.File, file.Name, 0, new[] { ("sha256", hash), ("size", file.Size.ToString(CultureInfo.InvariantCulture)) });
                }
            }
        }

        state.Config = new ClusterConfig(resources);
        return state;
    }

    internal static Dictionary<string, string> ResourceQuery(DsClient client, string fullName)
    {
        var q = new Dictionary<string, string> { ["fullName"] = fullName, ["type"] = "FILE", ["searchVal"] = "" };
        if (client.Dialect.ResourceRoutesTakeTenant) q["tenantCode"] = "";
        return q;
    }

    /// <summary>field → value of an alert plugin's UI form JSON (what DS returns as pluginInstanceParams).</summary>
    internal static IEnumerable<(string Field, string? Value)> FormValues(string? form)
    {
        if (string.IsNullOrEmpty(form)) yield break;
        JsonNode? node;
        try { node = JsonNode.Parse(form); }
        catch (JsonException) { yield break; }
        if (node is JsonArray arr)
            foreach (var item in arr.OfType<JsonObject>())
                if (item["field"]?.GetValue<string>() is { } field)
                    yield return (field, item["value"] switch { null => null, JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(), var v => v.ToJsonString() });
    }

    internal static IEnumerable<JsonElement> Items(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : Enumerable.Empty<JsonElement>();

    internal static string? Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? Text(v) : null;

    internal static long Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetInt64() : v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0
            : 0;

    private static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string SortedList(IEnumerable<string> items) =>
        string.Join(",", items.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}

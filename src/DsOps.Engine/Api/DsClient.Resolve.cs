using System.Collections.Concurrent;
using System.Globalization;
using DsOps.Engine.Models;

namespace DsOps.Engine.Api;

// Name-or-code resolution used by every cmdlet that takes -Project or -Workflow. A client is one connection, so
// its name cache is per connection: a name is looked up once per TTL; a miss always asks the server again (an
// object created a moment ago is found), so the cache can only be stale for renames and deletes within the TTL.
internal sealed partial class DsClient
{
    /// <summary>How long resolved project and workflow names are reused.</summary>
    public static TimeSpan NameCacheTtl { get; } = TimeSpan.FromMinutes(5);

    private readonly DsNameCache<DsProject> _projects = new();
    private readonly ConcurrentDictionary<long, DsNameCache<DsWorkflow>> _workflows = new();

    /// <summary>Forgets every cached project and workflow name (after this client created or renamed one).</summary>
    public void ForgetNames()
    {
        _projects.Clear();
        _workflows.Clear();
    }

    /// <summary>Finds a project by code (all digits) or exact name.</summary>
    public Task<DsProject> ResolveProjectAsync(string nameOrCode, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrCode);
        return long.TryParse(nameOrCode, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? ResolveProjectAsync(code, ct)
            : ResolveProjectByNameAsync(nameOrCode, ct);
    }

    /// <summary>Finds a project by its code (cached per connection).</summary>
    public async Task<DsProject> ResolveProjectAsync(long code, CancellationToken ct = default)
    {
        if (_projects.TryGet(code, out var hit)) return hit;
        var p = await GetProjectAsync(code, ct).ConfigureAwait(false);
        _projects.Add(p.ProjectCode, p.Name, p);
        return p;
    }

    private async Task<DsProject> ResolveProjectByNameAsync(string name, CancellationToken ct)
    {
        if (_projects.TryGet(name, out var hit)) return hit;
        await foreach (var p in GetProjectsAsync(name, ct).ConfigureAwait(false))
        {
            _projects.Add(p.ProjectCode, p.Name, p);
            if (string.Equals(p.Name, name, StringComparison.Ordinal)) return p;
        }
        throw ProjectNotFound(name);
    }

    /// <summary>Every project the user can see (one listing per TTL per connection), for wildcard matching.</summary>
    public async Task<IReadOnlyList<DsProject>> GetProjectListAsync(CancellationToken ct = default)
    {
        if (_projects.All is { } all) return all;
        var list = new List<DsProject>();
        await foreach (var p in GetProjectsAsync(null, ct).ConfigureAwait(false)) list.Add(p);
        _projects.SetAll(list, p => p.ProjectCode, p => p.Name);
        return list;
    }

    /// <summary>The error for a project name or code the connected user cannot find.</summary>
    public DsOpsException ProjectNotFound(string nameOrCode) =>
        new(DsErrorKind.NotFound, "DsProjectNotFound", $"Project '{nameOrCode}' does not exist on {BaseUri} (or the user cannot see it).");

    /// <summary>Finds a workflow of a project by code (all digits) or exact name.</summary>
    public async Task<DsWorkflow> ResolveWorkflowAsync(long projectCode, string nameOrCode, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrCode);
        var cache = _workflows.GetOrAdd(projectCode, _ => new DsNameCache<DsWorkflow>());
        var isCode = long.TryParse(nameOrCode, NumberStyles.None, CultureInfo.InvariantCulture, out var code);
        if (isCode ? cache.TryGet(code, out var hit) : cache.TryGet(nameOrCode, out hit)) return hit;
        await foreach (var w in GetWorkflowsAsync(projectCode, isCode ? null : nameOrCode, ct).ConfigureAwait(false))
        {
            cache.Add(w.WorkflowCode, w.Name, w);
            if (isCode ? w.WorkflowCode == code : string.Equals(w.Name, nameOrCode, StringComparison.Ordinal)) return w;
        }
        throw new DsOpsException(DsErrorKind.NotFound, "DsWorkflowNotFound",
            $"Workflow '{nameOrCode}' does not exist in project '{await ProjectLabelAsync(projectCode, ct).ConfigureAwait(false)}'.");
    }

    /// <summary>Every workflow of a project (one listing per TTL per connection), for wildcard matching.</summary>
    public async Task<IReadOnlyList<DsWorkflow>> GetWorkflowListAsync(long projectCode, CancellationToken ct = default)
    {
        var cache = _workflows.GetOrAdd(projectCode, _ => new DsNameCache<DsWorkflow>());
        if (cache.All is { } all) return all;
        var list = new List<DsWorkflow>();
        await foreach (var w in GetWorkflowsAsync(projectCode, null, ct).ConfigureAwait(false)) list.Add(w);
        cache.SetAll(list, w => w.WorkflowCode, w => w.Name);
        return list;
    }

    /// <summary>A project's name for messages (users know projects by name, not code); the code when it cannot be read.</summary>
    public async Task<string> ProjectLabelAsync(long projectCode, CancellationToken ct = default)
    {
        try
        {
            return (await ResolveProjectAsync(projectCode, ct).ConfigureAwait(false)).Name;
        }
        catch (Exception ex) when (ex is DsOpsException or HttpRequestException)
        {
            return projectCode.ToString(CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Objects by code and by exact name with a time to live; thread-safe (completers and cmdlets share a client).</summary>
internal sealed class DsNameCache<T> where T : class
{
    private readonly ConcurrentDictionary<long, (DateTime At, T Item)> _byCode = new();
    private readonly ConcurrentDictionary<string, (DateTime At, T Item)> _byName = new(StringComparer.Ordinal);
    private (DateTime At, IReadOnlyList<T> Items)? _all;

    private static bool Fresh(DateTime at) => DateTime.UtcNow - at < DsClient.NameCacheTtl;

    public bool TryGet(long code, out T item)
    {
        item = null!;
        if (!_byCode.TryGetValue(code, out var e) || !Fresh(e.At)) return false;
        item = e.Item;
        return true;
    }

    public bool TryGet(string name, out T item)
    {
        item = null!;
        if (!_byName.TryGetValue(name, out var e) || !Fresh(e.At)) return false;
        item = e.Item;
        return true;
    }

    public void Add(long code, string name, T item)
    {
        var now = DateTime.UtcNow;
        _byCode[code] = (now, item);
        _byName[name] = (now, item);
    }

    public IReadOnlyList<T>? All => _all is { } a && Fresh(a.At) ? a.Items : null;

    public void SetAll(IReadOnlyList<T> items, Func<T, long> code, Func<T, string> name)
    {
        foreach (var i in items) Add(code(i), name(i), i);
        _all = (DateTime.UtcNow, items);
    }

    public void Clear()
    {
        _byCode.Clear();
        _byName.Clear();
        _all = null;
    }
}

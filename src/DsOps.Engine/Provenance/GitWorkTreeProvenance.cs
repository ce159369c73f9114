using System.Collections.Immutable;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Provenance;

/// <summary>
/// Fills <see cref="TaskSpec.Provenance"/> for tasks whose <c>scriptFile</c> lies in a Git work tree: the repository
/// (remote "origin" without credentials, else the work tree's path), the path inside it and the commit that last
/// changed the file at HEAD. A script with uncommitted changes (modified, staged or untracked) gets no provenance:
/// what runs would not be what Git holds. A few git calls per repository, whatever the number of files: top level,
/// HEAD, origin, status, and one history walk that stops once every file's last commit is known.
/// Without git installed, or outside a work tree, the specs are returned unchanged.
/// </summary>
public sealed class GitWorkTreeProvenance
{
    private readonly TimeSpan _timeout;
    private readonly List<string> _topLevels = new();
    private readonly Dictionary<string, string?> _topOfDir = new(StringComparer.Ordinal);

    public GitWorkTreeProvenance(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromMinutes(2);

    /// <summary>Messages about files that got no provenance (uncommitted changes), for verbose output.</summary>
    public List<string> Notes { get; } = new();

    public IReadOnlyList<WorkflowSpec> Annotate(IReadOnlyList<WorkflowSpec> workflows)
    {
        // Script file (full path) of every task that has one.
        var files = new Dictionary<(int W, int T), string>();
        for (var w = 0; w < workflows.Count; w++)
            for (var t = 0; t < workflows[w].Tasks.Length; t++)
                if (workflows[w].Tasks[t] is { ScriptFile: { } sf, Location.File: { } specFile, Script: not null })
                    files[(w, t)] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specFile))!, sf));
        if (files.Count == 0) return workflows;

        var byRepo = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal); // top level -> relative paths
        var location = new Dictionary<string, (string Top, string Relative)>(StringComparer.Ordinal);
        try
        {
            foreach (var full in files.Values.Distinct(StringComparer.Ordinal))
            {
                if (TopLevel(Path.GetDirectoryName(full)!) is not { } top) continue;
                var relative = Path.GetRelativePath(top, full).Replace('\\', '/');
                if (relative.StartsWith("../", StringComparison.Ordinal)) continue;
                location[full] = (top, relative);
                if (!byRepo.TryGetValue(top, out var set)) byRepo[top] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(relative);
            }
        }
        catch (DsOpsException ex) when (ex.ErrorId == "DsGitNotInstalled")
        {
            Notes.Add("git is not installed: scripts get no Git provenance.");
            return workflows;
        }

        var known = new Dictionary<(string Top, string Relative), ScriptProvenance>();
        foreach (var (top, paths) in byRepo)
            foreach (var (relative, p) in Read(top, paths)) known[(top, relative)] = p;
        if (known.Count == 0) return workflows;

        var result = workflows.ToArray();
        foreach (var group in files.GroupBy(f => f.Key.W))
        {
            var tasks = result[group.Key].Tasks.ToBuilder();
            var changed = false;
            foreach (var ((_, t), full) in group)
                if (location.TryGetValue(full, out var at) && known.TryGetValue(at, out var p))
                {
                    tasks[t] = tasks[t] with { Provenance = p };
                    changed = true;
                }
            if (changed) result[group.Key] = result[group.Key] with { Tasks = tasks.ToImmutable() };
        }
        return result;
    }

    private string? TopLevel(string dir)
    {
        if (_topOfDir.TryGetValue(dir, out var cached)) return cached;
        foreach (var top in _topLevels)
            if (dir == top || dir.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                return _topOfDir[dir] = top;
        if (!Directory.Exists(dir)) return _topOfDir[dir] = null;
        var found = GitCli.TryRunIn(dir, _timeout, "rev-parse", "--show-toplevel")?.Trim();
        if (string.IsNullOrEmpty(found)) return _topOfDir[dir] = null;
        found = Path.GetFullPath(found);
        _topLevels.Add(found);
        return _topOfDir[dir] = found;
    }

    private IEnumerable<(string Relative, ScriptProvenance Provenance)> Read(string top, HashSet<string> paths)
    {
        if (GitCli.TryRunIn(top, _timeout, "rev-parse", "--verify", "HEAD^{commit}") is null) yield break; // no commit yet
        var origin = GitCli.TryRunIn(top, _timeout, "config", "--get", "remote.origin.url")?.Trim();
        var repository = string.IsNullOrEmpty(origin) ? top.Replace('\\', '/') : GitCli.Safe(origin);

        // Uncommitted or untracked files: no provenance.
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        var status = GitCli.TryRunIn(top, _timeout, "status", "--porcelain=v1", "-z", "--untracked-files=all") ?? "";
        var entries = status.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Length < 4) continue;
            dirty.Add(entries[i][3..]);
            if (entries[i][0] is 'R' or 'C') i++; // the source path of a rename follows
        }

        var wanted = new HashSet<string>(paths.Where(p => !dirty.Contains(p)), StringComparer.Ordinal);
        foreach (var p in paths.Where(dirty.Contains).Order(StringComparer.Ordinal))
            Notes.Add($"{top}/{p} has uncommitted changes: its tasks get no Git provenance.");
        if (wanted.Count == 0) yield break;

        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        string? commit = null;
        GitCli.ReadLinesIn(top, _timeout, line =>
        {
            if (line.Length > 1 && line[0] == '\u001e') commit = line[1..].Trim();
            else if (line.Length > 0 && commit is not null && wanted.Contains(line) && !last.ContainsKey(line)) last[line] = commit;
            return last.Count < wanted.Count; // stop the walk once every file is found
        }, "log", "--format=%x1e%H", "--name-only", "--no-renames", "HEAD", "--", ".");
        foreach (var (relative, sha) in last) yield return (relative, new ScriptProvenance(repository, relative, sha));
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// Reads scripts from Git with the git command line: <c>&lt;repository&gt;#&lt;ref&gt;:&lt;path&gt;</c>, e.g.
/// <c>https://git.example/team/etl.git#main:jobs/load.sql</c> or <c>file:///srv/etl.git#v1.2:load.sql</c>
/// (ref defaults to HEAD). Remote repositories are cloned bare, blobs on demand, into a cache folder and
/// fetched once per resolver; credentials come from git's own configuration and never appear in messages.
/// <see cref="Resolved"/> records the commit each ref resolved to (Git provenance).
/// </summary>
public sealed partial class GitScriptSourceResolver : IScriptSourceResolver
{
    private readonly string _cache;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, string> _repos = new(StringComparer.Ordinal); // url -> local git dir
    private readonly Dictionary<string, string> _resolved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Provenance.ScriptProvenance> _provenance = new(StringComparer.Ordinal);

    public GitScriptSourceResolver(string? cacheFolder = null, TimeSpan? timeout = null)
    {
        _cache = cacheFolder ?? Path.Combine(Path.GetTempPath(), "dsops-git-cache");
        _timeout = timeout ?? TimeSpan.FromMinutes(2);
    }

    /// <summary>"repository#ref" (credentials removed) -> commit SHA, for every ref read so far.</summary>
    public IReadOnlyDictionary<string, string> Resolved => _resolved;

    [GeneratedRegex(@"^(?<repo>.+?)#(?:(?<ref>[^:]+):)?(?<path>[^#]+)$")]
    private static partial Regex Address();

    /// <summary>The address without user:password@ (for messages and provenance).</summary>
    public static string Safe(string address) => Provenance.GitCli.Safe(address);

    internal Provenance.ScriptProvenance? ProvenanceOf(string address) => _provenance.GetValueOrDefault(address);

    public string Resolve(string address)
    {
        var m = Address().Match(address);
        if (!m.Success)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsGitScriptAddress",
                $"'{Safe(address)}' is not a Git script address; use <repository>#<ref>:<path>, e.g. https://git.example/etl.git#main:jobs/a.sh.");
        var repo = m.Groups["repo"].Value;
        var gitRef = m.Groups["ref"].Success ? m.Groups["ref"].Value : "HEAD";
        var path = m.Groups["path"].Value.TrimStart('/');
        if (gitRef.StartsWith('-') || path.StartsWith('-'))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsGitScriptAddress", $"'{Safe(address)}': ref and path must not start with '-'.");
        var gitDir = Repository(repo);
        var sha = Git(gitDir, "rev-parse", "--verify", gitRef + "^{commit}").Trim();
        _resolved[Safe(repo) + "#" + gitRef] = sha;
        var text = Git(gitDir, "show", sha + ":" + path);
        // The commit that last changed the file at that revision: what "which commit runs" means for one script.
        var last = Git(gitDir, "rev-list", "-1", sha, "--", path).Trim();
        _provenance[address] = new Provenance.ScriptProvenance(Safe(repo), path, last.Length > 0 ? last : sha);
        return text;
    }

    private string Repository(string repo)
    {
        if (_repos.TryGetValue(repo, out var known)) return known;
        string gitDir;
        var local = repo.StartsWith("file://", StringComparison.Ordinal) ? new Uri(repo).LocalPath : Directory.Exists(repo) ? repo : null;
        if (local is not null)
        {
            gitDir = local;
        }
        else
        {
            var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(repo)))[..16].ToLowerInvariant();
            gitDir = Path.Combine(_cache, key + ".git");
            if (Directory.Exists(gitDir)) Git(gitDir, "fetch", "--quiet", "--prune", "origin", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*");
            else
            {
                Directory.CreateDirectory(_cache);
                Git(null, "clone", "--quiet", "--bare", "--filter=blob:none", "--", repo, gitDir);
            }
        }
        _repos[repo] = gitDir;
        return gitDir;
    }

    private string Git(string? gitDir, params string[] args) => Provenance.GitCli.Run(gitDir, _timeout, args);
}

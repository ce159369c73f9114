using System.Diagnostics;
using DsOps.Engine;
using DsOps.Engine.Specs.Sources;
using Xunit;

namespace DsOps.Tests.Specs;

/// <summary>Git script sources against a real local repository (git command line).</summary>
public sealed class GitScriptSourceResolverTests : IDisposable
{
    private readonly SpecTestFiles _files = new();
    private readonly string _repo;
    private readonly string _firstCommit;

    public GitScriptSourceResolverTests()
    {
        _repo = Path.Combine(_files.Root, "etl");
        Directory.CreateDirectory(_repo);
        Git("init", "--quiet", "--initial-branch=main");
        _files.Write("etl/jobs/load.sql", "insert into t select 1");
        Git("add", ".");
        Git("-c", "user.name=t", "-c", "user.email=t@example.local", "commit", "--quiet", "-m", "first");
        _firstCommit = Git("rev-parse", "HEAD").Trim();
        Git("tag", "v1");
        _files.Write("etl/jobs/load.sql", "insert into t select 2");
        Git("-c", "user.name=t", "-c", "user.email=t@example.local", "commit", "--quiet", "-am", "second");
    }

    private string Git(params string[] args) => Promotion.ServerEdits.Git(_repo, args);

    [Fact]
    public void Reads_a_file_at_a_ref_and_records_the_commit()
    {
        var resolver = new GitScriptSourceResolver(Path.Combine(_files.Root, "cache"));
        Assert.Equal("insert into t select 2", resolver.Resolve($"file://{_repo}#main:jobs/load.sql"));
        Assert.Equal("insert into t select 1", resolver.Resolve($"file://{_repo}#v1:jobs/load.sql"));
        Assert.Equal(_firstCommit, resolver.Resolved[$"file://{_repo}#v1"]);
    }

    [Fact]
    public void Missing_files_and_bad_addresses_are_clear_errors_without_credentials()
    {
        var resolver = new GitScriptSourceResolver(Path.Combine(_files.Root, "cache"));
        Assert.Equal("DsGitScriptFailed", Assert.Throws<DsOpsException>(() => resolver.Resolve($"file://{_repo}#main:nope.sql")).ErrorId);
        Assert.Equal("DsGitScriptAddress", Assert.Throws<DsOpsException>(() => resolver.Resolve($"file://{_repo}")).ErrorId);
        var ex = Assert.Throws<DsOpsException>(() => resolver.Resolve("https://user:s3cr3t@127.0.0.1:9/etl.git#main:a.sh"));
        Assert.DoesNotContain("s3cr3t", ex.Message);
    }

    [Fact]
    public void Config_table_rows_read_scripts_from_git()
    {
        var rows = new[] { new ConfigTableRow(1, "etl", "w", "load", "sql") { ScriptSource = $"file://{_repo}#v1:jobs/load.sql", DataSourceName = "ods" } };
        var set = ConfigTableSource.ToSpecs(rows, git: new GitScriptSourceResolver(Path.Combine(_files.Root, "cache")));
        Assert.Empty(set.Findings);
        Assert.Equal("insert into t select 1", set.Workflows.Single().Tasks.Single().Script);
        var offline = ConfigTableSource.ToSpecs(rows);
        Assert.Equal("GitScriptSource", Assert.Single(offline.Findings).RuleId);
    }

    public void Dispose() => _files.Dispose();
}

using System.Collections.Immutable;
using System.Diagnostics;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Models;
using DsOps.Engine.Planning;
using DsOps.Engine.Provenance;
using DsOps.Engine.Specs.Wire;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Promotion;

/// <summary>
/// Git provenance end to end: specs in a throwaway local Git repository, synced to the DS emulator on real MariaDB;
/// the commit is kept in the task description marker and read back by Get-DsWorkflowProvenance and the plan.
/// </summary>
public sealed class ProvenanceTests : IAsyncLifetime
{
    private const string Spec = """
        project: etl
        workflows:
          - name: daily
            tasks:
              - name: load
                type: SHELL
                description: loads the day
                scriptFile: scripts/load.sh
              - name: inline
                type: SHELL
                dependsOn: [load]
                script: echo inline
        """;

    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dsops-prov-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HostedEngine _engine = new();
    private DsEmulator? _emu;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_repo, "scripts"));
        Git("init", "--quiet", "--initial-branch=main");
        File.WriteAllText(Path.Combine(_repo, "etl.yaml"), Spec);
        File.WriteAllText(Path.Combine(_repo, "scripts", "load.sh"), "echo load v1\n");
        File.WriteAllText(Path.Combine(_repo, ".gitignore"), ".dsops-state.json*\n");
        Commit("first");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_emu is not null) await _emu.DisposeAsync();
        try { Directory.Delete(_repo, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string Git(params string[] args) => ServerEdits.Git(_repo, args);

    private string Commit(string message)
    {
        Git("add", "-A");
        Git("-c", "user.name=t", "-c", "user.email=t@example.local", "commit", "--quiet", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    private async Task<DsConnection> StartAsync(string dialect)
    {
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = dialect });
        return _engine.Run("Connect-DsServer", new { Uri = _emu.BaseUri, Token = DsClientTests.Secure(_emu.AdminToken) }).Objects<DsConnection>().Single();
    }

    private List<PlanItem> Plan(DsConnection c) =>
        _engine.Run("Compare-DsWorkflow", new { Path = _repo, Connection = c }).Objects<PlanItem>().ToList();

    private List<DsTaskProvenance> Provenance(DsConnection c) =>
        _engine.Run("Get-DsWorkflowProvenance", new { Project = new[] { "etl" }, Connection = c }).Objects<DsTaskProvenance>().ToList();

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    [InlineData("3.3")]
    public async Task A_task_applied_from_git_names_its_commit_and_the_plan_tells_git_moved_from_server_edited(string dialect)
    {
        var first = Git("rev-parse", "HEAD").Trim();
        var c = await StartAsync(dialect);

        var sync = _engine.Run("Sync-DsWorkflow", new { Path = _repo, Connection = c });
        Assert.Empty(sync.Errors);

        // The commit is on the server: read back by Get-DsWorkflowProvenance; the user's description is intact.
        var prov = Provenance(c);
        var load = prov.Single(p => p.Task == "load");
        Assert.Equal((_repo, "scripts/load.sh", first, ProvenanceStatus.Matches, (bool?)true), (load.Repository, load.Path, load.Commit, load.Status, load.ServerContentMatches));
        Assert.NotNull(load.AppliedAt);
        Assert.Equal(ProvenanceStatus.NotFromGit, prov.Single(p => p.Task == "inline").Status);
        var tasks = _engine.Run("Get-DsWorkflow", new { Project = "etl", IncludeTasks = true, Connection = c }).Objects<DsWorkflow>().Single().Tasks!;
        var stored = tasks.Single(t => t.Name == "load").Description!;
        Assert.StartsWith("loads the day\n[dsops git=", stored);
        Assert.Contains("@" + first + " script=", stored);
        Assert.Equal("", tasks.Single(t => t.Name == "inline").Description ?? "");

        // -Workflow takes a workflow code as well as a name; a code no project in scope has is DsWorkflowNotFound.
        var code = _engine.Run("Get-DsWorkflow", new { Project = "etl", Connection = c }).Objects<DsWorkflow>().Single().WorkflowCode;
        var byCode = _engine.Run("Get-DsWorkflowProvenance", new { Project = new[] { "etl" }, Workflow = new[] { code }, Connection = c });
        Assert.Equal(prov.Select(p => p.Task).Order(), byCode.Objects<DsTaskProvenance>().Select(p => p.Task).Order());
        var missing = _engine.Run("Get-DsWorkflowProvenance", new { Project = new[] { "etl" }, Workflow = new[] { 1L }, Connection = c });
        Assert.Equal("DsWorkflowNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId.Split(',')[0]);

        // The marker is not drift: a second sync writes nothing, the plan is empty.
        var writes = _emu!.RequestLog.WritingRequests;
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _repo, Connection = c }).Objects<WorkflowApplyResult>());
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        Assert.DoesNotContain(Plan(c), i => i.Action != PlanAction.Unchanged);

        // Git moved, same content: the file changed and changed back (two commits); the plan shows only the commit.
        File.WriteAllText(Path.Combine(_repo, "scripts", "load.sh"), "echo load tmp\n");
        Commit("tmp");
        File.WriteAllText(Path.Combine(_repo, "scripts", "load.sh"), "echo load v1\n");
        var same = Commit("back");
        var moved = Plan(c).Single(i => i.Task == "load");
        Assert.True(moved.GitMoved);
        Assert.False(moved.ServerEdited);
        Assert.Equal(new[] { SpecFields.GitSourceField }, moved.Changes.Select(ch => ch.Field));
        Assert.Contains("Git moved since apply", moved.Note);
        Assert.DoesNotContain(Plan(c), i => i.Task == "inline" && i.Action != PlanAction.Unchanged);

        // Git moved with new content: a new commit changes the script.
        File.WriteAllText(Path.Combine(_repo, "scripts", "load.sh"), "echo load v2\n");
        var second = Commit("v2");
        moved = Plan(c).Single(i => i.Task == "load");
        Assert.True(moved.GitMoved);
        Assert.Equal(new[] { SpecFields.GitSourceField, "script" }, moved.Changes.Select(ch => ch.Field).Order(StringComparer.Ordinal));
        Assert.NotEqual(same, second);

        // Apply: the server now names the new commit; nothing left to do.
        Assert.Empty(_engine.Run("Sync-DsWorkflow", new { Path = _repo, Connection = c }).Errors);
        Assert.Equal(second, Provenance(c).Single(p => p.Task == "load").Commit);
        Assert.DoesNotContain(Plan(c), i => i.Action != PlanAction.Unchanged);

        // Server edited: a UI-like edit of the script keeps the description (and its marker).
        await ServerEdits.EditScriptLikeTheUiAsync(c, "etl", "daily", "load", "echo hotfix\n");
        var edited = Provenance(c).Single(p => p.Task == "load");
        Assert.Equal((second, ProvenanceStatus.ServerEdited, (bool?)false), (edited.Commit, edited.Status, edited.ServerContentMatches));
        var item = Plan(c).Single(i => i.Task == "load");
        Assert.True(item.ServerEdited);
        Assert.False(item.GitMoved);
        Assert.Contains("server edited since apply", item.Note);
        Assert.Equal(new[] { "script" }, item.Changes.Select(ch => ch.Field));
    }

    [Fact]
    public void Uncommitted_scripts_get_no_provenance_and_files_outside_git_are_left_alone()
    {
        var specs = new Engine.Specs.Sources.SpecSourceRequest(_repo).Load().Workflows;
        var annotated = new GitWorkTreeProvenance().Annotate(specs);
        Assert.Equal(Git("rev-parse", "HEAD").Trim(), annotated.Single().FindTask("load")!.Provenance!.Commit);

        File.WriteAllText(Path.Combine(_repo, "scripts", "load.sh"), "echo not committed\n");
        var git = new GitWorkTreeProvenance();
        var dirty = git.Annotate(new Engine.Specs.Sources.SpecSourceRequest(_repo).Load().Workflows);
        Assert.Null(dirty.Single().FindTask("load")!.Provenance);
        Assert.Contains(git.Notes, n => n.Contains("uncommitted", StringComparison.Ordinal));
    }

    [Fact]
    public void The_marker_keeps_the_users_description_and_survives_awkward_paths()
    {
        var p = new ScriptProvenance("https://git.example/team/etl.git", "jobs/a b#1@x].sh", new string('a', 40));
        foreach (var description in new[] { null, "", "one line", "two\nlines\n", "ends with [dsops git=not a marker]" })
        {
            var stored = ProvenanceMarker.Append(description, p, "echo 1");
            var (back, read) = ProvenanceMarker.Split(stored);
            Assert.Equal(string.IsNullOrEmpty(description) ? null : description, back);
            Assert.True(p.SameSource(read), stored);
            Assert.Equal(ScriptProvenance.HashScript("echo 1"), read!.ScriptHash);
        }
        Assert.Equal(("plain", (ScriptProvenance?)null), ProvenanceMarker.Split("plain"));
        Assert.Equal("plain", ProvenanceMarker.Append("plain", null, "x"));
    }
}

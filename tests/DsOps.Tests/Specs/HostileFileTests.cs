using Xunit;
using System.Diagnostics;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;

namespace DsOps.Tests.Specs;

/// <summary>
/// Issue 13 item 1: files that escape the spec folder through symbolic links, special files, oversized reads and
/// link loops. Every case uses real links and special files on the local file system.
/// </summary>
public class HostileFileTests
{
    private static string Spec(string scriptFile) =>
        $"project: p\nworkflow:\n  name: w\n  tasks:\n    - {{ name: t, type: SHELL, scriptFile: {scriptFile} }}\n";

    private static (SpecTestFiles Files, string Specs) Folder(string scriptFile)
    {
        var files = new SpecTestFiles();
        files.Write("specs/a.yaml", Spec(scriptFile));
        return (files, Path.Combine(files.Root, "specs"));
    }

    private static DsOps.Engine.Specs.Validation.SpecFinding LoadOne(string specs)
    {
        var sw = Stopwatch.StartNew();
        var set = YamlSpecSource.Load(specs);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "loading must not block");
        Assert.Null(set.Workflows.Single().FindTask("t")!.Script);
        return Assert.Single(set.Findings);
    }

    [Fact]
    public void A_script_linked_to_etc_passwd_is_refused_naming_the_link_target()
    {
        var (files, specs) = Folder("scripts/x.sh");
        using var _ = files;
        Directory.CreateDirectory(Path.Combine(specs, "scripts"));
        File.CreateSymbolicLink(Path.Combine(specs, "scripts/x.sh"), "/etc/passwd");
        var f = LoadOne(specs);
        Assert.Equal("ScriptOutsideRoot", f.RuleId);
        Assert.Contains("symbolic link to '/etc/passwd'", f.Message);
        Assert.Contains("scriptFile 'scripts/x.sh'", f.Message);
    }

    [Fact]
    public void A_script_linked_to_proc_self_environ_is_refused()
    {
        var (files, specs) = Folder("env.sh");
        using var _ = files;
        File.CreateSymbolicLink(Path.Combine(specs, "env.sh"), "/proc/self/environ");
        var f = LoadOne(specs);
        Assert.Equal("ScriptOutsideRoot", f.RuleId);
        Assert.DoesNotContain("PATH=", f.Message);
    }

    [Fact]
    public void A_link_chain_through_a_folder_link_is_resolved_at_every_level()
    {
        // specs/lib -> ../outside (a folder link), then lib/a.sh -> b.sh (a file link inside the escaped folder).
        var (files, specs) = Folder("lib/a.sh");
        using var _ = files;
        files.Write("outside/b.sh", "echo secret");
        File.CreateSymbolicLink(Path.Combine(files.Root, "outside/a.sh"), "b.sh");
        Directory.CreateSymbolicLink(Path.Combine(specs, "lib"), "../outside");
        var set = YamlSpecSource.Load(specs);
        Assert.Null(set.Workflows.Single().FindTask("t")!.Script);
        Assert.Contains(set.Findings, x => x.RuleId == "PathOutsideRoot"); // the folder walk does not enter lib/
        var f = Assert.Single(set.Findings, x => x.RuleId == "ScriptOutsideRoot");
        Assert.Contains(Path.Combine(files.Root, "outside", "b.sh"), f.Message);
    }

    [Fact]
    public void A_link_that_stays_inside_the_folder_is_read()
    {
        var (files, specs) = Folder("current.sh");
        using var _ = files;
        files.Write("specs/scripts/v2.sh", "echo v2");
        File.CreateSymbolicLink(Path.Combine(specs, "current.sh"), "scripts/v2.sh");
        var set = YamlSpecSource.Load(specs);
        Assert.Empty(set.Findings);
        Assert.Equal("echo v2", set.Workflows.Single().FindTask("t")!.Script);
    }

    [Fact]
    public void A_script_linked_to_dev_zero_is_refused_without_reading_gigabytes()
    {
        var (files, specs) = Folder("zero.sh");
        using var _ = files;
        File.CreateSymbolicLink(Path.Combine(specs, "zero.sh"), "/dev/zero");
        var before = GC.GetTotalAllocatedBytes();
        var f = LoadOne(specs);
        Assert.Equal("ScriptOutsideRoot", f.RuleId);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 64L * 1024 * 1024);
        // Inside an allowed root (here: '/dev' itself), the device is still refused, never read without bound.
        var ex = Assert.Throws<SpecLoadException>(() => SpecFileReader.ReadText("/dev/zero", "/dev", 4096, "'zero'"));
        Assert.True(ex.ErrorId is "DsSpecNotRegularFile" or "DsSpecFileTooLarge", ex.ErrorId);
    }

    [Fact]
    public void A_fifo_in_the_spec_folder_is_refused_at_once_instead_of_hanging()
    {
        var (files, specs) = Folder("pipe.sh");
        using var _ = files;
        Mkfifo(Path.Combine(specs, "pipe.sh"));
        var f = LoadOne(specs);
        Assert.Equal("NotRegularFile", f.RuleId);
        Assert.Contains("scriptFile 'pipe.sh' is a FIFO", f.Message);
    }

    [Fact]
    public void A_spec_file_that_is_a_fifo_is_a_finding_not_a_hang()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", Spec("x.sh").Replace("scriptFile: x.sh", "script: echo"));
        Mkfifo(Path.Combine(files.Root, "b.yaml"));
        var set = YamlSpecSource.Load(files.Root);
        Assert.Single(set.Workflows);
        Assert.Equal("NotRegularFile", Assert.Single(set.Findings).RuleId);
    }

    [Fact]
    public void Proc_files_are_not_regular_even_inside_an_allowed_root()
    {
        // /proc reports size 0 whatever the file holds: the bounded read notices.
        var ex = Assert.Throws<SpecLoadException>(() => SpecFileReader.ReadText("/proc/self/environ", "/proc", 1 << 20, "'environ'"));
        Assert.Equal("DsSpecNotRegularFile", ex.ErrorId);
        Assert.Contains("not a regular file", ex.Message);
    }

    [Fact]
    public void The_size_limit_counts_bytes_read()
    {
        using var files = new SpecTestFiles();
        var path = files.Write("big.sh", new string('x', 5000));
        var ex = Assert.Throws<SpecLoadException>(() => SpecFileReader.ReadText(path, files.Root, 4096, "'big.sh'"));
        Assert.Equal("DsSpecFileTooLarge", ex.ErrorId);
        Assert.Contains("4,096 bytes", ex.Message);
        Assert.Equal(4096, SpecFileReader.ReadText(files.Write("ok.sh", new string('y', 4096)), files.Root, 4096).Length);
    }

    [Fact]
    public void A_folder_link_loop_is_read_once_with_a_warning()
    {
        using var files = new SpecTestFiles();
        files.Write("specs/a.yaml", Spec("x.sh").Replace("scriptFile: x.sh", "script: echo"));
        Directory.CreateSymbolicLink(Path.Combine(files.Root, "specs/loop"), ".");
        Directory.CreateSymbolicLink(Path.Combine(files.Root, "specs/again"), "../specs");
        var set = YamlSpecSource.Load(Path.Combine(files.Root, "specs"));
        Assert.Single(set.Workflows);
        Assert.DoesNotContain(set.Findings, f => f.RuleId == "DuplicateWorkflow" || f.Severity == DsOps.Engine.Specs.Validation.SpecSeverity.Error);
        Assert.Equal(2, set.Findings.Count(f => f.RuleId == "SymlinkLoop"));
        Assert.Empty(DsOps.Engine.Specs.Validation.SpecValidator.Validate(set.Workflows).Where(f => f.RuleId == "DuplicateWorkflow"));
    }

    [Fact]
    public void A_self_referencing_link_chain_is_a_clear_error()
    {
        using var files = new SpecTestFiles();
        File.CreateSymbolicLink(Path.Combine(files.Root, "a.sh"), "b.sh");
        File.CreateSymbolicLink(Path.Combine(files.Root, "b.sh"), "a.sh");
        var ex = Assert.Throws<SpecLoadException>(() => SpecFileReader.ReadText(Path.Combine(files.Root, "a.sh"), files.Root, 100));
        Assert.Equal("DsSpecSymlinkLoop", ex.ErrorId);
    }

    [Fact]
    public void A_spec_file_or_folder_linked_outside_the_folder_is_not_read()
    {
        using var files = new SpecTestFiles();
        files.Write("outside/x.yaml", Spec("x.sh").Replace("scriptFile: x.sh", "script: echo"));
        files.Write("specs/a.yaml", Spec("x.sh").Replace("scriptFile: x.sh", "script: echo").Replace("name: w", "name: w2"));
        Directory.CreateSymbolicLink(Path.Combine(files.Root, "specs/ext"), "../outside");
        File.CreateSymbolicLink(Path.Combine(files.Root, "specs/passwd.yaml"), "/etc/passwd");
        var set = YamlSpecSource.Load(Path.Combine(files.Root, "specs"));
        Assert.Equal("w2", Assert.Single(set.Workflows).Name);
        Assert.Equal(2, set.Findings.Count(f => f.RuleId == "PathOutsideRoot"));
        Assert.DoesNotContain(set.Findings, f => f.Message.Contains("root:x:0"));
    }

    [Fact]
    public void PyDs_FILE_macro_linked_outside_is_refused()
    {
        using var files = new SpecTestFiles();
        files.Write("wf.yaml", "workflow:\n  name: w\n  project: p\ntasks:\n  - name: t\n    task_type: Shell\n    command: $FILE{\"x.sh\"}\n");
        File.CreateSymbolicLink(Path.Combine(files.Root, "x.sh"), "/etc/passwd");
        var set = PyDolphinSchedulerSource.Load(Path.Combine(files.Root, "wf.yaml"));
        var f = Assert.Single(set.Findings, f => f.RuleId == "ScriptOutsideRoot");
        Assert.Contains("/etc/passwd", f.Message);
        Assert.DoesNotContain(set.Workflows.SelectMany(w => w.Tasks), t => t.Script?.Contains("root:") == true);
    }

    [Fact]
    public void Config_table_script_paths_linked_outside_are_refused()
    {
        using var files = new SpecTestFiles();
        Directory.CreateDirectory(Path.Combine(files.Root, "scripts"));
        File.CreateSymbolicLink(Path.Combine(files.Root, "scripts/env.sh"), "/proc/self/environ");
        Mkfifo(Path.Combine(files.Root, "scripts/pipe.sh"));
        var rows = new[]
        {
            new ConfigTableRow(1, "p", "w", "a", "shell") { ScriptSource = "env.sh" },
            new ConfigTableRow(2, "p", "w", "b", "shell") { ScriptSource = "pipe.sh" },
        };
        var set = ConfigTableSource.ToSpecs(rows, scriptRoot: Path.Combine(files.Root, "scripts"));
        Assert.Equal(new[] { "ScriptOutsideRoot", "NotRegularFile" }, set.Findings.Select(f => f.RuleId));
        Assert.Contains("dsops_workflow_config[id=1]", set.Findings[0].Location.ToString());
    }

    private static void Mkfifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}

using System.Collections.Immutable;
using System.Management.Automation;
using System.Text;
using DsOps.Emulator;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;
using DsOps.Tests.Api;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Specs;

/// <summary>
/// Issue 13 item 10: what only the server used to check - invalid UTF-8, DS's column sizes and validators, characters
/// MySQL's utf8 cannot store, the size of a workflow write - and duplicate keys in JSON as in YAML.
/// </summary>
public class ServerLimitTests
{
    private static WorkflowSpec Workflow(string name = "w", int tasks = 1, string? description = null, string project = "p") =>
        new(project, name, Enumerable.Range(0, tasks).Select(i => new TaskSpec($"t{i:D5}", "SHELL") { Script = "echo " + i }).ToImmutableArray())
        {
            Description = description,
        };

    private static IReadOnlyList<SpecFinding> Errors(params WorkflowSpec[] w) =>
        SpecValidator.Validate(w).Where(f => f.Severity == SpecSeverity.Error).ToList();

    [Fact]
    public void Invalid_utf8_in_a_spec_file_is_an_error_naming_the_byte_offset_and_line()
    {
        using var files = new SpecTestFiles();
        var path = Path.Combine(files.Root, "a.yaml");
        var bytes = Encoding.UTF8.GetBytes("project: p\nworkflow:\n  name: w").Concat(new byte[] { 0xFF, 0xFE, 0x28 })
            .Concat(Encoding.UTF8.GetBytes("\n  tasks: [ { name: t, type: SHELL, script: echo } ]\n")).ToArray();
        File.WriteAllBytes(path, bytes);

        var set = YamlSpecSource.Load(files.Root);

        Assert.Empty(set.Workflows);
        var f = Assert.Single(set.Findings);
        Assert.Equal("InvalidUtf8", f.RuleId);
        Assert.Equal(3, f.Location.Line);
        Assert.Contains("byte offset 30 (line 3)", f.Message);
        Assert.Contains("FF", f.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_script_file_is_an_error_not_a_replacement_character()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: w\n  tasks:\n    - { name: t, type: SHELL, scriptFile: s.sh }\n");
        File.WriteAllBytes(Path.Combine(files.Root, "s.sh"), new byte[] { (byte)'e', (byte)'c', (byte)'h', (byte)'o', (byte)' ', 0xC3, 0x28 });
        var set = YamlSpecSource.Load(files.Root);
        var f = Assert.Single(set.Findings);
        Assert.Equal("InvalidUtf8", f.RuleId);
        Assert.Contains("scriptFile 's.sh'", f.Message);
        Assert.Contains("byte offset 5", f.Message);
        Assert.DoesNotContain(set.Workflows.SelectMany(w => w.Tasks), t => t.Script?.Contains('\uFFFD') == true);
    }

    [Fact]
    public void A_utf16_file_with_a_bom_and_a_utf8_bom_still_read()
    {
        Assert.Equal("project: p", SpecFileReader.Decode(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("project: p")).ToArray(), "x"));
        Assert.Equal("a", SpecFileReader.Decode(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a' }, "x"));
    }

    [Fact]
    public void Emoji_in_names_are_errors_because_DS_MySQL_schema_is_3_byte_utf8()
    {
        var f = Assert.Single(Errors(Workflow("sales 📈")));
        Assert.Equal("UnsupportedCharacter", f.RuleId);
        Assert.Contains("U+1F4C8", f.Message);
        var task = Workflow() with { Tasks = [new TaskSpec("load 🚀", "SHELL") { Script = "echo 🚀" }] };
        var findings = SpecValidator.Validate(new[] { task });
        Assert.Contains(findings, x => x is { RuleId: "UnsupportedCharacter", Severity: SpecSeverity.Error, Task: "load 🚀" });
        Assert.Contains(findings, x => x is { RuleId: "UnsupportedCharacter", Severity: SpecSeverity.Warning } && x.Message.Contains("PostgreSQL"));
        Assert.Empty(Errors(Workflow("销售日报"))); // CJK in the BMP is 3 bytes: fine
    }

    [Fact]
    public void A_10000_character_name_is_refused_with_a_short_message()
    {
        var name = new string('n', 10_000);
        var f = Assert.Single(Errors(Workflow(name)));
        Assert.Equal("NameTooLong", f.RuleId);
        Assert.Contains("10,000 characters; DS stores at most 255", f.Message);
        Assert.True(f.ToString().Length < 600, "the finding must not repeat the whole name");
        Assert.Equal("NameTooLong", Assert.Single(Errors(Workflow() with { Tasks = [new TaskSpec(new string('t', 300), "SHELL") { Script = "x" }] })).RuleId);
        Assert.Empty(Errors(Workflow(new string('n', 255))));
    }

    [Fact]
    public void Names_within_the_newer_limits_are_checked_per_version()
    {
        var w = Workflow("w", project: new string('p', 150)) with { Tasks = [new TaskSpec(new string('t', 210), "SHELL") { Script = "x" }] };
        Assert.Empty(Errors(w));
        var v30 = SpecValidator.ValidateForDialect(new[] { w }, DsDialect.V3_0);
        Assert.Equal(2, v30.Count(f => f.RuleId == "NameTooLong"));
        Assert.Contains(v30, f => f.Message.Contains("at most 100 in this DS version"));
        Assert.Empty(SpecValidator.ValidateForDialect(new[] { w }, DsDialect.V3_2).Where(f => f.RuleId == "NameTooLong"));
    }

    [Fact]
    public void A_3_MB_description_is_refused_by_DS_validator_limit()
    {
        var f = Assert.Single(Errors(Workflow(description: new string('d', 3 * 1024 * 1024))));
        Assert.Equal("DescriptionTooLong", f.RuleId);
        Assert.Contains("1400004", f.Message);
        Assert.Empty(Errors(Workflow(description: new string('é', 255))));
        Assert.Equal("DescriptionTooLong", Assert.Single(Errors(Workflow(description: new string('é', 256)))).RuleId);
    }

    [Fact]
    public void Five_thousand_global_parameters_exceed_the_global_params_column()
    {
        var w = Workflow() with { Parameters = Enumerable.Range(0, 5000).Select(i => new ParameterSpec($"param_{i}", "value_" + i)).ToImmutableArray() };
        var f = Assert.Single(Errors(w));
        Assert.Equal("WorkflowTooLarge", f.RuleId);
        Assert.Contains("5,000 global parameters", f.Message);
        Assert.Contains("65,535", f.Message);
        var fine = Workflow() with { Parameters = Enumerable.Range(0, 300).Select(i => new ParameterSpec($"param_{i}", "v")).ToImmutableArray() };
        Assert.Empty(Errors(fine));
    }

    [Fact]
    public void Ten_thousand_tasks_are_refused_offline()
    {
        var f = Errors(Workflow(tasks: 10_000));
        Assert.Contains(f, x => x.RuleId == "WorkflowTooLarge" && x.Message.Contains("locations"));
        Assert.Empty(Errors(Workflow(tasks: 600)));
    }

    [Fact]
    public void Huge_scripts_exceed_the_API_server_form_limit()
    {
        var w = Workflow(tasks: 3) with { Tasks = Enumerable.Range(0, 3).Select(i => new TaskSpec("t" + i, "SHELL") { Script = new string('{', 1_000_000) }).ToImmutableArray() };
        var f = Assert.Single(Errors(w));
        Assert.Equal("WorkflowTooLarge", f.RuleId);
        Assert.Contains("max-http-form-post-size", f.Message);
    }

    [Fact]
    public void Json_readers_refuse_duplicate_keys_like_the_yaml_reader()
    {
        using var files = new SpecTestFiles();
        files.Write("dup.yaml", "project: p\nproject: q\n");
        Assert.Equal("DuplicateKey", Assert.Single(YamlSpecSource.Load(Path.Combine(files.Root, "dup.yaml")).Findings).RuleId);

        var export = DsExportFile.Write(new[] { Workflow() }, DsDialect.V3_2, allocateCode: new Func<long>(() => 1_000_000_000_001L));
        var dup = export.Replace("\"name\": \"w\"", "\"name\": \"w\", \"name\": \"x\"");
        Assert.NotEqual(export, dup);
        var set = DsExportFile.Read(dup, "export.json");
        Assert.Empty(set.Workflows);
        var f = Assert.Single(set.Findings);
        Assert.Equal("DuplicateKey", f.RuleId);
        Assert.Contains("key 'name' appears twice", f.Message);

        var plan = PlanFile.Serialize(WorkflowPlanner.Plan(new[] { Workflow() }, Array.Empty<WorkflowSpec>()));
        var ex = Assert.Throws<DsOps.Engine.DsOpsException>(() => PlanFile.Parse(plan.Replace("\"prune\": false,", "\"prune\": false,\n  \"prune\": true,"), "plan.json"));
        Assert.Equal("DsPlanFileInvalid", ex.ErrorId);
        Assert.Contains("'prune' appears twice", ex.Message);
    }

    [Fact]
    public async Task Sync_refuses_limit_violations_before_any_request_that_writes_or_generates_codes()
    {
        using var files = new SpecTestFiles();
        files.Write("a.yaml", "project: p\nworkflow:\n  name: \"daily 📈\"\n  tasks: [ { name: t, type: SHELL, script: echo } ]\n");
        await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
        using var engine = new HostedEngine();
        var c = engine.Run("Connect-DsServer", new { Uri = emu.BaseUri, Token = DsClientTests.Secure(emu.AdminToken) }).Objects<DsConnection>().Single();
        var before = emu.RequestLog.Total;

        var ex = Assert.Throws<CmdletInvocationException>(() => engine.Run("Sync-DsWorkflow", new { Path = files.Root, Connection = c }));

        Assert.Equal("DsSpecInvalid,DsOps.Commands.Specs.SyncDsWorkflowCommand", ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(before, emu.RequestLog.Total);
    }
}

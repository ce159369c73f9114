using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text.RegularExpressions;
using DsOps.Commands;
using DsOps.Testing;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Compliance;

/// <summary>
/// Module-wide rules every cmdlet obeys (after dbatools' and PSScriptAnalyzer's meta-tests):
/// approved verbs and the Ds prefix, OutputType, ShouldProcess on state changes, manifest exports,
/// default views for output types, loadable format files, no BOM or tabs in shipped files.
/// </summary>
public class ModuleComplianceTests
{
    private static readonly Assembly ModuleAssembly = typeof(DsCmdlet).Assembly;
    private static readonly string ModuleFolder = Path.Combine(RepoPaths.RepoRoot, "module", "DsOps");

    // Verbs whose cmdlets only read, compute or change the caller's session (not DS, files or chat groups).
    private static readonly HashSet<string> ReadOnlyVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Get", "Test", "Compare", "Find", "Search", "Resolve", "Measure", "Show", "Read", "Format",
        "ConvertTo", "ConvertFrom", "Connect", "Watch", "Wait", "Select", "Split", "Join", "Group", "Assert",
    };

    /// <summary>Cmdlets whose verb usually changes state but which only read (Invoke-DsHealthCheck runs read-only checks).</summary>
    private static readonly HashSet<string> ReadOnlyCmdlets = new(StringComparer.OrdinalIgnoreCase) { "Invoke-DsHealthCheck" };

    public static IEnumerable<object[]> CmdletTypes() =>
        ModuleAssembly.GetTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null).Select(t => new object[] { t });

    private static IEnumerable<(Type Type, CmdletAttribute Attr)> Cmdlets() =>
        CmdletTypes().Select(o => (Type)o[0]).Select(t => (t, t.GetCustomAttribute<CmdletAttribute>()!));

    [Fact]
    public void Import_raises_no_unapproved_verb_warning_and_every_noun_has_the_Ds_prefix()
    {
        var iss = InitialSessionState.CreateDefault2();
        using var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand("Import-Module").AddParameter("Name", Path.Combine(Path.GetDirectoryName(ModuleAssembly.Location)!, "DsOps.psd1"));
        ps.Invoke();
        Assert.Empty(ps.Streams.Warning.Select(w => w.Message).Where(m => m.Contains("unapproved", StringComparison.OrdinalIgnoreCase)));
        Assert.Empty(ps.Streams.Error);

        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsClass)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();
        foreach (var (type, attr) in Cmdlets())
        {
            Assert.True(approved.Contains(attr.VerbName), $"{type.Name}: '{attr.VerbName}' is not an approved verb");
            Assert.Matches(new Regex("^Ds[A-Z]"), attr.NounName);
        }
    }

    [Theory]
    [MemberData(nameof(CmdletTypes))]
    public void Every_cmdlet_declares_its_output_type(Type type) =>
        Assert.True(type.GetCustomAttributes<OutputTypeAttribute>().Any(), $"{type.Name} has no [OutputType]");

    [Theory]
    [MemberData(nameof(CmdletTypes))]
    public void State_changing_cmdlets_support_WhatIf_and_Confirm(Type type)
    {
        var attr = type.GetCustomAttribute<CmdletAttribute>()!;
        if (ReadOnlyVerbs.Contains(attr.VerbName) || ReadOnlyCmdlets.Contains(attr.VerbName + "-" + attr.NounName)) return;
        Assert.True(attr.SupportsShouldProcess, $"{attr.VerbName}-{attr.NounName} changes state but does not support -WhatIf/-Confirm");
    }

    [Theory]
    [MemberData(nameof(CmdletTypes))]
    public void Every_cmdlet_derives_from_the_DsOps_base(Type type) =>
        Assert.True(typeof(DsCmdlet).IsAssignableFrom(type), $"{type.Name} does not derive from DsCmdlet (one error helper, cancellation)");

    [Fact]
    public void Manifest_exports_exactly_the_assembly_s_cmdlets()
    {
        var manifest = ReadManifest();
        var exported = ((object[])manifest["CmdletsToExport"]!).Cast<string>().ToList();
        var actual = Cmdlets().Select(c => c.Attr.VerbName + "-" + c.Attr.NounName).ToList();
        Assert.Equal(actual.OrderBy(x => x, StringComparer.Ordinal), exported.OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(exported.OrderBy(x => x, StringComparer.Ordinal), exported); // kept sorted for clean merges
        Assert.Empty((object[])manifest["FunctionsToExport"]!);
        Assert.Empty((object[])manifest["AliasesToExport"]!);
        Assert.Equal("7.4", manifest["PowerShellVersion"]);
    }

    [Fact]
    public void Manifest_lists_are_single_array_literals()
    {
        // PowerShell compiles every statement inside @( ) when it reads a manifest; one name per line without commas
        // is one statement per name and made Import-Module JIT-compile 74 more methods (docs/benchmarks.md).
        var ast = Parser.ParseFile(Path.Combine(ModuleFolder, "DsOps.psd1"), out _, out var errors);
        Assert.Empty(errors);
        var table = (HashtableAst)ast.Find(a => a is HashtableAst, false)!;
        foreach (var key in new[] { "CmdletsToExport", "FormatsToProcess" })
        {
            var value = table.KeyValuePairs.Single(p => ((StringConstantExpressionAst)p.Item1).Value == key).Item2;
            var array = (ArrayExpressionAst)((PipelineAst)value).PipelineElements.OfType<CommandExpressionAst>().Single().Expression;
            Assert.True(array.SubExpression.Statements.Count == 1, $"{key} has {array.SubExpression.Statements.Count} statements; separate the names with commas");
        }
    }

    [Fact]
    public void Every_format_file_loads_and_is_listed_in_the_manifest()
    {
        var manifest = ReadManifest();
        var listed = ((object[])manifest["FormatsToProcess"]!).Cast<string>().ToHashSet();
        var files = Directory.GetFiles(ModuleFolder, "*.Format.ps1xml").Select(Path.GetFileName).ToHashSet();
        Assert.Equal(files.OrderBy(f => f), listed.OrderBy(f => f));
        try
        {
            _ = new FormatTable(files.Select(f => Path.Combine(ModuleFolder, f!)));
        }
        catch (FormatTableLoadException ex)
        {
            Assert.Fail(string.Join("\n", ex.Errors));
        }
    }

    [Fact]
    public void Every_output_type_has_a_default_view()
    {
        var viewed = Directory.GetFiles(ModuleFolder, "*.Format.ps1xml")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "<TypeName>([^<]+)</TypeName>").Select(m => m.Groups[1].Value)).ToHashSet();
        var missing = Cmdlets().SelectMany(c => c.Type.GetCustomAttributes<OutputTypeAttribute>())
            .SelectMany(o => o.Type).Select(t => t.Type).Where(t => t is not null && t != typeof(void) && !t.IsPrimitive && t != typeof(string) && t.Namespace?.StartsWith("DsOps") == true)
            .Select(t => t!.FullName!).Distinct().Where(n => !viewed.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "Output types without a default view: " + string.Join(", ", missing));
    }

    [Fact]
    public void Shipped_text_files_have_no_bom_tabs_or_trailing_spaces()
    {
        foreach (var file in Directory.GetFiles(ModuleFolder, "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".ps1") || f.EndsWith(".psd1") || f.EndsWith(".ps1xml") || f.EndsWith(".json") || f.EndsWith(".yaml") || f.EndsWith(".yml")))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, $"{file} has a BOM");
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain("\t", text);
            Assert.DoesNotMatch(new Regex(@"[ ]+\r?$", RegexOptions.Multiline), text);
        }
    }

    [Fact]
    public void Pester_files_and_build_script_parse_with_the_PowerShell_parser()
    {
        var scripts = Directory.GetFiles(RepoPaths.RepoRoot, "*.ps1", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/") && !f.Contains("/out/")).ToList();
        Assert.Contains(scripts, s => s.EndsWith("build.ps1"));
        foreach (var script in scripts)
        {
            Parser.ParseFile(script, out _, out var errors);
            Assert.True(errors.Length == 0, $"{script}: " + string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        }
    }

    private static System.Collections.Hashtable ReadManifest()
    {
        var ast = Parser.ParseFile(Path.Combine(ModuleFolder, "DsOps.psd1"), out _, out var errors);
        Assert.Empty(errors);
        var hash = ast.Find(a => a is HashtableAst, false)!;
        return (System.Collections.Hashtable)((HashtableAst)hash).SafeGetValue();
    }
}

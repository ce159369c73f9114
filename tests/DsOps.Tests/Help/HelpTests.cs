using System.Management.Automation;
using System.Reflection;
using DsOps.Commands;
using DsOps.Testing;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Help;

public class HelpTests
{
    private static readonly string HelpPath = Path.Combine(RepoPaths.RepoRoot, "module", "DsOps", "en-US", "DsOps.dll-Help.xml");

    /// <summary>The committed MAML equals what the XML docs produce. Set DSOPS_UPDATE_HELP=1 to rewrite it.</summary>
    [Fact]
    public void Committed_help_matches_the_cmdlets_xml_docs()
    {
        var assembly = typeof(DsCmdlet).Assembly;
        var xmlDoc = Path.ChangeExtension(assembly.Location, ".xml");
        var generated = MamlHelpGenerator.Generate(assembly, xmlDoc);
        if (Environment.GetEnvironmentVariable("DSOPS_UPDATE_HELP") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(HelpPath)!);
            File.WriteAllText(HelpPath, generated);
        }
        Assert.True(File.Exists(HelpPath), $"{HelpPath} is missing; run the tests once with DSOPS_UPDATE_HELP=1.");
        Assert.True(generated == File.ReadAllText(HelpPath),
            "module/DsOps/en-US/DsOps.dll-Help.xml is out of date with the cmdlets' XML docs; rerun the tests with DSOPS_UPDATE_HELP=1 and commit the file.");
    }

    private static readonly System.Xml.Linq.XNamespace CommandNs = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly System.Xml.Linq.XNamespace MamlNs = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly System.Xml.Linq.XNamespace DevNs = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>The help the cmdlets' XML docs produce now (not the committed file), so a new example is checked at once.</summary>
    private static System.Xml.Linq.XDocument GeneratedHelp()
    {
        var assembly = typeof(DsCmdlet).Assembly;
        return System.Xml.Linq.XDocument.Parse(MamlHelpGenerator.Generate(assembly, Path.ChangeExtension(assembly.Location, ".xml")));
    }

    [Fact]
    public void Every_example_has_code_and_a_one_sentence_explanation()
    {
        var missing = new List<string>();
        var commands = GeneratedHelp().Descendants(CommandNs + "command").ToList();
        Assert.True(commands.Count >= 30, $"only {commands.Count} cmdlets in the help");
        foreach (var command in commands)
        {
            var name = command.Element(CommandNs + "details")!.Element(CommandNs + "name")!.Value;
            var examples = command.Element(CommandNs + "examples")!.Elements(CommandNs + "example").ToList();
            if (examples.Count == 0) missing.Add($"{name}: no example");
            foreach (var example in examples)
            {
                var code = example.Element(DevNs + "code")!.Value;
                var text = example.Element(DevNs + "remarks")!.Value.Trim();
                if (string.IsNullOrWhiteSpace(code)) missing.Add($"{name}: an example without code");
                else if (text.Length < 15 || !char.IsUpper(text[0]) || !(text.EndsWith('.') || text.EndsWith(".)")))
                    missing.Add($"{name}: '{code}' needs a sentence saying what it does (got '{text}')");
                if (code.Contains("$feed", StringComparison.OrdinalIgnoreCase))
                    missing.Add($"{name}: '{code}' uses $feed, which no example defines");
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void Inputs_and_outputs_name_types()
    {
        var assemblies = new[] { typeof(DsCmdlet).Assembly, typeof(DsOps.Engine.DsOpsException).Assembly, typeof(PSObject).Assembly, typeof(object).Assembly };
        Type? Resolve(string name) => assemblies.Select(a => a.GetType(name)).FirstOrDefault(t => t is not null);
        var problems = new List<string>();
        foreach (var command in GeneratedHelp().Descendants(CommandNs + "command"))
        {
            var name = command.Element(CommandNs + "details")!.Element(CommandNs + "name")!.Value;
            var inputs = command.Element(CommandNs + "inputTypes")?.Elements(CommandNs + "inputType")
                .Select(i => i.Element(DevNs + "type")!.Element(MamlNs + "name")!.Value).ToList() ?? new List<string>();
            var outputs = command.Element(CommandNs + "returnValues")?.Elements(CommandNs + "returnValue")
                .Select(i => i.Element(DevNs + "type")!.Element(MamlNs + "name")!.Value).ToList() ?? new List<string>();
            if (inputs.Count == 0) problems.Add($"{name}: INPUTS is empty");
            if (outputs.Count == 0) problems.Add($"{name}: OUTPUTS is empty");
            foreach (var t in inputs.Where(t => t != "None").Concat(outputs))
                if (Resolve(t) is null) problems.Add($"{name}: '{t}' is not a full type name");
            var command2 = typeof(DsCmdlet).Assembly.GetTypes().Single(t => t.GetCustomAttribute<CmdletAttribute>() is { } a && a.VerbName + "-" + a.NounName == name);
            var piped = command2.GetProperties().SelectMany(p => p.GetCustomAttributes<ParameterAttribute>()).Any(a => a.ValueFromPipeline || a.ValueFromPipelineByPropertyName);
            if (piped == inputs.SequenceEqual(new[] { "None" })) problems.Add($"{name}: INPUTS does not match its pipeline parameters");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Get_Help_shows_the_input_and_output_types()
    {
        using var engine = new HostedEngine();
        var inputs = engine.Script("(Get-Help Get-DsWorkflowInstance -Full).inputTypes.inputType.type.name").Output.Select(o => o.ToString()).ToList();
        var outputs = engine.Script("(Get-Help Get-DsWorkflowInstance -Full).returnValues.returnValue.type.name").Output.Select(o => o.ToString()).ToList();
        // -Project/-Workflow bind by property name through their parameter types, named in full.
        Assert.Contains("DsOps.Parameters.DsProjectParameter", inputs);
        Assert.Equal(new[] { "DsOps.Engine.Models.DsWorkflowInstance" }, outputs);
        var none = engine.Script("(Get-Help Get-DsHealthCheck -Full).inputTypes.inputType.type.name").Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(none);
    }

    public static IEnumerable<object[]> Cmdlets() =>
        typeof(DsCmdlet).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(CmdletAttribute), false).Length > 0)
            .Select(t => new object[] { t.Name });

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_and_parameter_has_help_with_an_example(string typeName)
    {
        var type = typeof(DsCmdlet).Assembly.GetTypes().Single(t => t.Name == typeName);
        var attr = (CmdletAttribute)type.GetCustomAttributes(typeof(CmdletAttribute), false)[0];
        var name = attr.VerbName + "-" + attr.NounName;
        using var engine = new HostedEngine();
        var help = engine.Run("Get-Help", new { Name = name, Full = true }).Output.Single();

        var synopsis = help.Properties["Synopsis"].Value?.ToString() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(synopsis) || synopsis.StartsWith(name, StringComparison.Ordinal), $"{name} has no synopsis");
        var examples = help.Properties["examples"]?.Value as PSObject;
        Assert.True(examples?.Properties["example"]?.Value is not null, $"{name} has no example");

        var parameters = type.GetProperties().Where(p => p.GetCustomAttributes(typeof(ParameterAttribute), true).Length > 0).Select(p => p.Name).ToList();
        var helpParams = ((help.Properties["parameters"]?.Value as PSObject)?.Properties["parameter"]?.Value) switch
        {
            object[] arr => arr.Cast<PSObject>().ToList(),
            PSObject one => new List<PSObject> { one },
            _ => new List<PSObject>(),
        };
        foreach (var p in parameters)
        {
            var hp = helpParams.SingleOrDefault(h => h.Properties["name"].Value?.ToString() == p);
            Assert.True(hp is not null, $"{name} -{p} is missing from help");
            var desc = hp!.Properties["description"]?.Value;
            var text = desc switch
            {
                object[] paras => string.Join(" ", paras.Cast<PSObject>().Select(x => x.Properties["Text"]?.Value)),
                PSObject po => po.Properties["Text"]?.Value?.ToString(),
                _ => null,
            };
            Assert.False(string.IsNullOrWhiteSpace(text), $"{name} -{p} has no description");
        }
    }
}

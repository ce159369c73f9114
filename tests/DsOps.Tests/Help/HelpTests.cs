using System.Management.Automation;
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

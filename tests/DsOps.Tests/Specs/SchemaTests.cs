using Xunit;
using System.Text.Json.Nodes;
using DsOps.Engine.Specs.Loading;
using DsOps.Testing;

namespace DsOps.Tests.Specs;

/// <summary>The published JSON Schema and the loader must accept the same fields.</summary>
public class SchemaTests
{
    private static JsonObject Schema() => JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "module", "DsOps", "schemas", "dsops-workflow.schema.json")))!.AsObject();

    private static string[] Keys(JsonNode? node) => node!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Schema_fields_match_the_loader()
    {
        var s = Schema();
        Assert.Equal(SpecDocumentReader.TopKeys.Order(StringComparer.Ordinal), Keys(s));
        Assert.Equal(SpecDocumentReader.WorkflowKeys.Order(StringComparer.Ordinal), Keys(s["definitions"]!["workflow"]));
        Assert.Equal(SpecDocumentReader.ScheduleKeys.Order(StringComparer.Ordinal), Keys(s["definitions"]!["workflow"]!["properties"]!["schedule"]));
        Assert.Equal(SpecDocumentReader.TaskKeys.Order(StringComparer.Ordinal), Keys(s["definitions"]!["task"]));
    }

    [Fact]
    public void Schema_ships_with_the_module()
    {
        var dll = typeof(DsOps.Commands.DsCmdlet).Assembly.Location;
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(dll)!, "schemas", "dsops-workflow.schema.json")));
    }
}

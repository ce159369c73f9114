using Xunit;
using DsOps.Engine.Specs.Documents;

namespace DsOps.Tests.Specs;

public class SafeYamlReaderTests
{
    [Fact]
    public void Nodes_remember_file_line_and_column()
    {
        var root = (SpecMapping)SafeYamlReader.Read("project: p\nworkflows:\n  - name: w\n", "a.yaml")!;
        var w = (SpecMapping)((SpecSequence)root["workflows"]!).Items[0];
        Assert.Equal("a.yaml:3:5", w.Location.ToString());
        Assert.Equal("a.yaml:3:11", w["name"]!.Location.ToString());
    }

    [Fact]
    public void Syntax_error_carries_position()
    {
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read("a: [1, 2\nb: 3\n", "bad.yaml"));
        Assert.Equal("DsSpecYamlSyntax", ex.ErrorId);
        Assert.StartsWith("bad.yaml:", ex.Message);
        Assert.True(ex.Location.Line >= 1);
    }

    [Fact]
    public void Alias_bomb_is_refused_within_budget()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
                   string.Join("", Enumerable.Range(1, 8).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + i - 1), 10))}]\n"));
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read(bomb, "bomb.yaml"));
        Assert.Equal("DsSpecAliasBudget", ex.ErrorId);
        Assert.Contains("bomb.yaml:", ex.Message);
    }

    [Fact]
    public void Small_aliases_and_merge_keys_work()
    {
        var root = (SpecMapping)SafeYamlReader.Read("base: &b { retries: 2, priority: HIGH }\ntask:\n  <<: *b\n  priority: LOW\n", "m.yaml")!;
        var task = (SpecMapping)root["task"]!;
        Assert.Equal("2", ((SpecScalar)task["retries"]!).Value);
        Assert.Equal("LOW", ((SpecScalar)task["priority"]!).Value);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read(deep, "deep.yaml"));
        Assert.Equal("DsSpecTooDeep", ex.ErrorId);
        Assert.StartsWith("deep.yaml:1:", ex.Message);
    }

    [Fact]
    public void Huge_file_is_refused_before_reading()
    {
        using var files = new SpecTestFiles();
        var path = files.Write("big.yaml", "a: " + new string('x', 2000));
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.ReadFile(path, new SpecReaderLimits { MaxFileBytes = 1000 }));
        Assert.Equal("DsSpecFileTooLarge", ex.ErrorId);
        Assert.Contains(path, ex.Message);
    }

    [Theory]
    [InlineData("a: !!python/object:os.system ls\n")]
    [InlineData("a: !custom {x: 1}\n")]
    public void Application_tags_are_refused(string yaml)
    {
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read(yaml, "t.yaml"));
        Assert.Equal("DsSpecYamlTag", ex.ErrorId);
    }

    [Fact]
    public void Duplicate_keys_are_refused_with_both_positions()
    {
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read("a: 1\nb: 2\na: 3\n", "d.yaml"));
        Assert.Equal("DsSpecDuplicateKey", ex.ErrorId);
        Assert.StartsWith("d.yaml:3:1", ex.Message);
        Assert.Contains("line 1", ex.Message);
    }

    [Fact]
    public void Multiple_documents_are_refused()
    {
        var ex = Assert.Throws<SpecLoadException>(() => SafeYamlReader.Read("a: 1\n---\nb: 2\n", "m.yaml"));
        Assert.Equal("DsSpecMultipleDocuments", ex.ErrorId);
    }

    [Fact]
    public void Quoted_and_plain_scalars_are_distinguished()
    {
        var root = (SpecMapping)SafeYamlReader.Read("a: 1\nb: \"1\"\nc: ~\n", null)!;
        Assert.True(((SpecScalar)root["a"]!).IsPlain);
        Assert.False(((SpecScalar)root["b"]!).IsPlain);
        Assert.True(((SpecScalar)root["c"]!).IsNull);
    }
}

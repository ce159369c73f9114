using System.Text;
using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

public class MessageSplitterTests
{
    [Fact]
    public void Short_body_is_one_part_unchanged()
    {
        var parts = MessageSplitter.Split("a\nb\nc", 1000, SizeMeasure.JsonString);
        Assert.Equal(new[] { "a\nb\nc" }, parts);
    }

    [Fact]
    public void Splits_only_at_line_boundaries_and_keeps_every_line_in_order()
    {
        var lines = Enumerable.Range(1, 300).Select(i => $"- 工作流 wf-{i:000} 失败 on worker-{i % 7}").ToList();
        var body = string.Join("\n", lines);
        var parts = MessageSplitter.Split(body, 1500, SizeMeasure.JsonString);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.True(SizeMeasure.JsonString.Of(p) <= 1500, $"part is {SizeMeasure.JsonString.Of(p)} bytes"));
        Assert.Equal(lines, parts.SelectMany(p => p.Split('\n')).ToList());   // no line cut, none lost, order kept
    }

    [Fact]
    public void Cost_counts_json_escaped_utf8_bytes_not_characters()
    {
        // 调度日报 is 4 characters, 12 UTF-8 bytes, and stays 12 with the relaxed encoder (24 with the default one).
        Assert.Equal(12, SizeMeasure.JsonBytes("调度日报"));
        Assert.Equal(4, SizeMeasure.JsonBytes("a\"b"));   // the quote is escaped
    }

    [Fact]
    public void An_over_long_line_is_hard_split_between_whole_characters()
    {
        // 3-byte CJK plus 4-byte emoji (a surrogate pair in UTF-16): no budget may cut inside either.
        var line = string.Concat(Enumerable.Repeat("表😀", 400));
        var parts = MessageSplitter.Split("head\n" + line + "\ntail", 101, SizeMeasure.JsonString);

        Assert.Equal("head", parts[0]);
        Assert.Equal("tail", parts[^1]);
        var middle = parts.Skip(1).Take(parts.Count - 2).ToList();
        Assert.Equal(line, string.Concat(middle));
        foreach (var p in middle)
        {
            Assert.True(Encoding.UTF8.GetByteCount(p) <= 101);
            Assert.False(char.IsHighSurrogate(p[^1]), "a part ends inside a surrogate pair");
            Assert.False(char.IsLowSurrogate(p[0]), "a part starts inside a surrogate pair");
            // Round-trips through strict UTF-8: no broken sequence.
            var strict = new UTF8Encoding(false, true);
            Assert.Equal(p, strict.GetString(strict.GetBytes(p)));
        }
    }

    [Fact]
    public void Per_line_overhead_is_counted()
    {
        var measure = new SizeMeasure(SizeMeasure.JsonBytes, 30, 1);
        var parts = MessageSplitter.Split(string.Join("\n", Enumerable.Repeat("x", 100)), 320, measure);
        Assert.All(parts, p => Assert.True(measure.Of(p) <= 320));
        Assert.Equal(10, parts[0].Split('\n').Length);   // 10 × (1 + 30) + 9 separators = 319
    }
}

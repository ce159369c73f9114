using DsOps.Engine.Planning;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Wire;
using Xunit;

namespace DsOps.Tests.Specs;

/// <summary>The small maps a large sync holds many of, and the name map that shares them instead of copying.</summary>
public class CompactMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(CompactMap<int>.LinearLimit)]
    [InlineData(CompactMap<int>.LinearLimit + 1)]
    [InlineData(300)]
    public void Looks_up_every_key_keeps_the_order_added_and_a_repeated_key_keeps_its_place_with_the_last_value(int count)
    {
        var builder = new CompactMap<int>.Builder();
        for (var i = count - 1; i >= 0; i--) builder["t" + i] = i;
        builder["t0"] = -1; // repeated: last value, first position

        var map = builder.ToMap();

        Assert.Equal(count, map.Count);
        Assert.Equal(Enumerable.Range(0, count).Reverse().Select(i => "t" + i), map.Keys);
        Assert.Equal(-1, map["t0"]);
        for (var i = 1; i < count; i++) Assert.True(map.TryGetValue("t" + i, out var v) && v == i);
        Assert.False(map.ContainsKey("T1")); // ordinal
        Assert.False(map.TryGetValue("missing", out _));
        Assert.Throws<KeyNotFoundException>(() => map["missing"]);
        Assert.Equal(map.Keys.Zip(map.Values), map.Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public void An_empty_builder_gives_the_shared_empty_map() =>
        Assert.Same(new CompactMap<SourceLocation>.Builder().ToMap(), new CompactMap<SourceLocation>.Builder().ToMap());

    [Fact]
    public void Task_codes_registered_per_workflow_resolve_both_ways_and_single_adds_win()
    {
        var names = new DsNameMap();
        var tasks = new CompactMap<(long Code, int Version)>.Builder { ["extract"] = (11, 1), ["load"] = (12, 3) }.ToMap();
        names.AddWorkflowTasks("p", "etl", tasks);

        Assert.Equal(12, names.TaskCode("p", "etl", "load"));
        Assert.Null(names.TaskCode("p", "etl", "nope"));
        Assert.Null(names.TaskCode("p", "other", "load"));
        Assert.Equal(("p", "etl", "extract"), names.Task(11)); // builds the code index
        Assert.Null(names.Task(99));

        // Added after the index was built: visible both ways; a single add wins over the workflow's map.
        names.AddTask("p", "etl", "load", 13);
        names.AddWorkflowTasks("p", "daily", new CompactMap<(long Code, int Version)>.Builder { ["sum"] = (21, 1) }.ToMap());
        Assert.Equal(13, names.TaskCode("p", "etl", "load"));
        Assert.Equal(("p", "etl", "load"), names.Task(13));
        Assert.Equal(("p", "daily", "sum"), names.Task(21));
        Assert.Equal(21, names.TaskCode("p", "daily", "sum"));
    }

    [Fact]
    public void A_state_file_read_entry_by_entry_keeps_its_rules()
    {
        var path = Path.Combine(Path.GetTempPath(), "dsops-state-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, """
                { "formatVersion": 2, "other": [1, {"a": 2}],
                  "workflows": {
                    "p/a": {"fingerprint": "aa", "code": 5, "tasks": [1, 2], "extra": {"x": [3]}},
                    "p/b": {"code": 6, "pending": true, "since": "2026-01-02T03:04:05Z"},
                    "p/c": "cc", "p/d": 7, "p/e": null } }
                """);
            var state = AppliedState.Load(path);
            Assert.Equal(new[] { "p/a", "p/b", "p/c" }, state.Entries.Keys);
            var a = state.Entry("p/a")!;
            Assert.Equal(("aa", 5L, false), (a.Fingerprint, a.Code, a.Pending));
            Assert.Equal(new long[] { 1, 2 }, a.Tasks);
            Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), state.Entry("p/b")!.Since);
            Assert.True(state.Entry("p/b")!.Pending);
            Assert.Null(state.Get("p/b"));
            Assert.Equal("cc", state.Get("p/c"));

            foreach (var bad in new[] { "", "[1] [2]", """{"workflows": {"p/a": {"code": "x"}}}""", """{"workflows": {"p/a": {"tasks": [1.5]}}}""", """{"workflows": {"p/a": {}}} x""" })
            {
                File.WriteAllText(path, bad);
                Assert.Equal("DsStateFileInvalid", Assert.Throws<DsOps.Engine.DsOpsException>(() => AppliedState.Load(path)).ErrorId);
            }
            File.WriteAllText(path, "[]");
            Assert.Empty(AppliedState.Load(path).Entries); // not an object: nothing recorded, as before
        }
        finally
        {
            File.Delete(path);
        }
    }
}

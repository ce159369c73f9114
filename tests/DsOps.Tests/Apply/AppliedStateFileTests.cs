using DsOps.Engine.Planning;
using Xunit;

namespace DsOps.Tests.Apply;

/// <summary>The state file's text (it is committed by users, so its format is a contract) and what Record keeps.</summary>
public sealed class AppliedStateFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-state-" + Guid.NewGuid().ToString("N")[..8]);

    public AppliedStateFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void The_state_file_is_written_one_workflow_a_line_escaped_and_sorted_and_reads_back_equal()
    {
        var path = Path.Combine(_dir, AppliedState.DefaultFileName);
        var state = AppliedState.Load(path);
        state.Record("p/z", "f2", 9_007_199_254_740_993, new long[] { 3, 10_000_000_000_123 });
        state.Record("p/a\"é", "f1", 12, Array.Empty<long>());
        state.MarkPending("p/m", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));
        state.Save(path);

        Assert.Equal(
            "{\n  \"formatVersion\": 2,\n  \"workflows\": {\n" +
            "    \"p/a\\\"é\": {\"fingerprint\": \"f1\", \"code\": 12},\n" +
            "    \"p/m\": {\"code\": 0, \"pending\": true, \"since\": \"2026-01-02T01:04:05Z\"},\n" +
            "    \"p/z\": {\"fingerprint\": \"f2\", \"code\": 9007199254740993, \"tasks\": [3,10000000000123]}\n" +
            "  }\n}\n",
            File.ReadAllText(path));
        Assert.False(File.ReadAllBytes(path).AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte order mark");

        var read = AppliedState.Load(path);
        Assert.Equal(new[] { "p/a\"é", "p/m", "p/z" }, read.Entries.Keys);
        Assert.Equal("f2", read.Get("p/z"));
        Assert.Equal(new long[] { 3, 10_000_000_000_123 }, read.Entry("p/z")!.Tasks);
        Assert.True(read.Entry("p/m")!.Pending);
    }

    [Fact]
    public void An_empty_state_file_has_an_empty_workflows_object()
    {
        var path = Path.Combine(_dir, AppliedState.DefaultFileName);
        AppliedState.Load(path).Save(path);
        Assert.Equal("{\n  \"formatVersion\": 2,\n  \"workflows\": {}\n}\n", File.ReadAllText(path));
    }

    [Fact]
    public void Recording_what_the_state_already_says_keeps_the_entry_and_anything_else_replaces_it()
    {
        var state = AppliedState.Load(Path.Combine(_dir, AppliedState.DefaultFileName));
        state.Record("p/w", "f", 7, new long[] { 1, 2 });
        var first = state.Entry("p/w");

        state.Record("p/w", "f", 7, new long[] { 1, 2 });
        Assert.Same(first, state.Entry("p/w"));

        state.Record("p/w", "f", 7, new long[] { 1, 3 });
        Assert.Equal(new long[] { 1, 3 }, state.Entry("p/w")!.Tasks);
        state.Record("p/w", "g", 7, new long[] { 1, 3 });
        Assert.Equal("g", state.Get("p/w"));
        state.MarkPending("p/w");
        state.Record("p/w", "g", 7, new long[] { 1, 3 });
        Assert.False(state.Entry("p/w")!.Pending);
    }
}

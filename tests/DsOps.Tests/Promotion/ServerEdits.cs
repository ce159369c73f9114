using System.Collections.Immutable;
using System.Diagnostics;
using DsOps.Engine.Api;
using DsOps.Engine.Apply;
using DsOps.Engine.Specs.Wire;
using Xunit;

namespace DsOps.Tests.Promotion;

/// <summary>Test helpers: edits made the way the DS UI makes them, and git run in a throwaway repository.</summary>
internal static class ServerEdits
{
    /// <summary>What the DS UI does when a user edits a task's script: one workflow update, the description untouched.</summary>
    public static async Task EditScriptLikeTheUiAsync(DsConnection c, string project, string workflow, string task, string script)
    {
        var snapshot = await DsServerSnapshot.ReadAsync(c.Client, new[] { project });
        var current = snapshot.ByKey[project + "/" + workflow];
        var spec = snapshot.Workflows.Single(w => w.Name == workflow);
        spec = spec with { Tasks = spec.Tasks.Select(t => t.Name == task ? t with { Script = script } : t).ToImmutableArray() };
        var wire = new DsWireConverter(c.Dialect, snapshot.Names).ToWire(spec,
            current.Tasks.ToDictionary(t => t.Key, t => t.Value.Code), current.Tasks.ToDictionary(t => t.Key, t => t.Value.Version));
        if (current.Online) await c.Client.ReleaseWorkflowAsync(current.ProjectCode, current.WorkflowCode, false);
        await c.Client.UpdateWorkflowAsync(current.ProjectCode, current.WorkflowCode, wire with { Schedule = null });
        if (current.Online) await c.Client.ReleaseWorkflowAsync(current.ProjectCode, current.WorkflowCode, true);
    }

    /// <summary>Runs git in <paramref name="repository"/> and returns its output; a failure fails the test.</summary>
    public static string Git(string repository, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        return output;
    }
}

using System.Collections;
using DsOps.Testing;
using DsOps.Tests.Hosting;
using Xunit;

namespace DsOps.Tests.Clusters;

/// <summary>
/// What the end-to-end cluster tests share: docs/examples copied to a temp folder, the example's secrets set to
/// recognisable canary values (under each class's own variable prefix, since test classes run in parallel), a hosted
/// engine whose runs and terminating errors are all kept, and the check that no canary reached a stream, plan, state
/// file, export or $Error.
/// </summary>
public abstract class ClusterExampleTestBase
{
    private static readonly string[] SecretNames = { "USER_PASSWORD", "ODS_PASSWORD", "DW_PASSWORD", "DINGTALK_WEBHOOK", "DINGTALK_SECRET" };

    protected readonly string Canary = "S3cr3t-Canary-" + Guid.NewGuid().ToString("N")[..10];
    protected readonly string[] Variables;
    protected readonly string _dir;
    protected readonly HostedEngine _engine = new();
    protected readonly List<HostedResult> _runs = new();
    protected readonly List<string> _terminating = new();

    protected ClusterExampleTestBase(string variablePrefix, string folderPrefix)
    {
        Variables = SecretNames.Select(n => variablePrefix + n).ToArray();
        _dir = Path.Combine(Path.GetTempPath(), folderPrefix + Guid.NewGuid().ToString("N")[..8]);
    }

    /// <summary>Copies docs/examples' cluster and workflows folders under <paramref name="to"/> and sets the secret variables.</summary>
    protected void CopyExamplesAndSetSecrets(string to)
    {
        foreach (var folder in new[] { "cluster", "workflows" }) Copy(Path.Combine(RepoPaths.RepoRoot, "docs", "examples", folder), Path.Combine(to, folder));
        foreach (var v in Variables) Environment.SetEnvironmentVariable(v, Canary + "-" + v);
    }

    protected static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) Copy(d, Path.Combine(to, Path.GetFileName(d)));
    }

    protected HostedResult Run(string command, IDictionary parameters)
    {
        if (command != "Connect-DsServer") parameters["Verbose"] = true;
        var result = _engine.Run(command, parameters);
        _runs.Add(result);
        return result;
    }

    /// <summary>The FullyQualifiedErrorId's first part of the command's terminating error (its message is kept for the secret check).</summary>
    protected string? TerminatingErrorId(string command, IDictionary parameters)
    {
        try
        {
            Run(command, parameters);
            return null;
        }
        catch (System.Management.Automation.RuntimeException ex)
        {
            _terminating.Add(ex.ToString());
            return ex.ErrorRecord.FullyQualifiedErrorId.Split(',')[0];
        }
    }

    /// <summary>Texts of an output object that could carry a secret (beyond the streams, which are always checked).</summary>
    protected abstract IEnumerable<string> SecretBearingTexts(object output);

    protected void AssertNoSecretAnywhere()
    {
        var errors = _engine.Script("($Error | ForEach-Object { \"$_ $($_.Exception) $($_.ErrorDetails) $($_.TargetObject)\" }) -join \"`n\"");
        var texts = _runs.Select(r => r.AllText())
            .Concat(errors.Output.Select(o => o?.ToString() ?? "")).Concat(_terminating)
            .Concat(_runs.SelectMany(r => r.Output).SelectMany(o => SecretBearingTexts(o.BaseObject)))
            .Concat(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".sh", StringComparison.Ordinal)).Select(File.ReadAllText));
        foreach (var text in texts) Assert.DoesNotContain("S3cr3t-Canary", text);
    }

    protected static string Md5(string s) => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(s))).ToLowerInvariant();

    /// <summary>Clears the secret variables (and <paramref name="more"/>), disposes the engine and removes the folder.</summary>
    protected void CleanUp(params string[] more)
    {
        foreach (var v in Variables.Concat(more)) Environment.SetEnvironmentVariable(v, null);
        _engine.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

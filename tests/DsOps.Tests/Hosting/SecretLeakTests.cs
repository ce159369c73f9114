using System.Collections;
using System.Management.Automation;
using System.Net;
using DsOps.Engine.Api;
using DsOps.Tests.Api;
using DsOps.Tests.Fakes;
using Xunit;

namespace DsOps.Tests.Hosting;

/// <summary>
/// Issue 13 item 8: a server (or proxy) that echoes every request value back — in DS's msg, an HTML page, plain text,
/// a redirect's Location, the reason phrase and response headers — must not get any secret into any PowerShell stream,
/// <c>$Error</c>, a plan file or a state file. Every secret kind travels: the access token, a login password and the
/// session id it yields, a data-source password given to a spec through a secret-named <c>${env:...}</c> variable, and
/// a webhook key and signing secret.
/// </summary>
public sealed class SecretLeakTests : IDisposable
{
    private static readonly string Id = Guid.NewGuid().ToString("N")[..12];
    private readonly string _token = "TOKENleak" + Id;
    private readonly string _password = "PASSWORDleak" + Id;
    private readonly string _session = "SESSIONleak" + Id;
    private readonly string _dataSourcePassword = "DSPASSWORDleak" + Id;
    private readonly string _webhookKey = "HOOKKEYleak" + Id;
    private readonly string _signingSecret = "SIGNINGleak" + Id;
    private readonly string _variable = "DSOPS_SECRET_DW_PASSWORD_" + Id.ToUpperInvariant();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-leak-" + Id);
    private readonly HostileEchoServer _server;
    private readonly HostedEngine _engine = new();
    private readonly List<HostedResult> _results = new();

    public SecretLeakTests()
    {
        var ds = new FakeDsServer("3.2.2") { Token = _token, Password = _password, SessionId = _session };
        ds.AnswerPaged("GET projects", new[] { new { code = 11L, name = "etl", userName = "admin" } });
        ds.Answer("GET projects/{code}", new { code = 11L, name = "etl" });
        ds.Answer("POST projects/{projectCode}/schedules/list", Array.Empty<object>());
        ds.Answer("GET projects/{projectCode}/process-definition/all", Array.Empty<object>());
        ds.Answer("GET projects/{projectCode}/task-definition/gen-task-codes", r =>
            FakeResponse.Ok(Enumerable.Range(1, int.Parse(r.Query["genNum"])).Select(i => 9000L + i).ToArray()));
        _server = new HostileEchoServer(ds);
        Directory.CreateDirectory(_dir);
        Environment.SetEnvironmentVariable(_variable, _dataSourcePassword);
        File.WriteAllText(Path.Combine(_dir, "etl.yaml"), $$"""
            project: etl
            workflows:
              - name: load_dw
                parameters: { dw_password: "${env:{{_variable}}}" }
                tasks:
                  - name: load
                    type: SHELL
                    script: echo load
                    parameters: { db_password: "${env:{{_variable}}}" }
            """);
    }

    private HostedResult Script(string script, HostileMode mode, Func<string, string, bool>? only = null)
    {
        _server.Choose = (method, path) => only is null || only(method, path) ? mode : HostileMode.Normal;
        var variables = new Hashtable
        {
            ["uri"] = _server.DsUri, ["token"] = DsClientTests.Secure(_token), ["dir"] = _dir,
            ["cred"] = new PSCredential("admin", DsClientTests.Secure(_password)),
            ["wrong"] = new PSCredential("admin", DsClientTests.Secure(_password + "x")),
            ["hook"] = $"{_server.Root}hook/{_webhookKey}?key={_webhookKey}", ["sign"] = DsClientTests.Secure(_signingSecret),
            ["plan"] = Path.Combine(_dir, "plan.json"),
        };
        var result = _engine.Script(
            "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $ErrorActionPreference = 'Continue'\n" + script,
            variables);
        _results.Add(result);
        return result;
    }

    [Fact]
    public void No_secret_echoed_by_a_hostile_server_reaches_any_stream_error_plan_or_state_file()
    {
        // Connect (token) while the server behaves, then make it echo in every way DsOps reads answers.
        var connected = Script("$c = Connect-DsServer -Uri $uri -Token $token -Verbose; $c", HostileMode.Normal);
        Assert.Single(connected.Objects<DsConnection>());
        foreach (var mode in new[] { HostileMode.JsonMessage, HostileMode.Html, HostileMode.Text, HostileMode.Redirect, HostileMode.ReasonPhrase })
        {
            var read = Script("try { Get-DsProject -Connection $c -Verbose } catch { $_ }; try { Get-DsWorkflow -Project etl -Connection $c } catch { $_ }", mode);
            Assert.True(AllErrors(read).Count > 0, $"{mode}: the echoing answer should be an error");
        }
        // Connecting to a server that echoes everything (no DS at all) fails without quoting it.
        var notDs = Script("try { Connect-DsServer -Uri $uri -Token $token -NoDefault } catch { $_ }", HostileMode.Text);
        Assert.Contains(AllErrors(notDs), e => e.FullyQualifiedErrorId.StartsWith("DsNotDolphinScheduler,", StringComparison.Ordinal));

        // Login: a refused login echoing the form, then a session whose id is echoed by later answers.
        Script("try { Connect-DsServer -Uri $uri -Credential $cred -NoDefault } catch { $_ }", HostileMode.JsonMessage, (m, p) => p.EndsWith("login"));
        Script("try { Connect-DsServer -Uri $uri -Credential $wrong -NoDefault } catch { $_ }", HostileMode.Text, (m, p) => p.EndsWith("login"));
        var session = Script("$s = Connect-DsServer -Uri $uri -Credential $cred -NoDefault -Version 3.2; try { Get-DsDataSource -Connection $s } catch { $_ }",
            HostileMode.JsonMessage, (m, p) => p.EndsWith("datasources"));
        Assert.NotEmpty(AllErrors(session));

        // Sync and plan: the create call (whose form carries the data-source password) is echoed back.
        var sync = Script("try { Sync-DsWorkflow -Path $dir -Connection $c -Confirm:$false -Verbose } catch { $_ }",
            HostileMode.JsonMessage, (m, p) => m == "POST" && p.EndsWith("process-definition"));
        Assert.NotEmpty(AllErrors(sync));
        Script("try { Compare-DsWorkflow -Path $dir -Connection $c -OutFile $plan } catch { $_ }", HostileMode.Normal);
        Assert.True(File.Exists(Path.Combine(_dir, "plan.json")));

        // A webhook whose endpoint refuses with the request (URL with its key) quoted back.
        var notify = Script("$t = New-DsNotificationTarget -Channel Webhook -WebhookUri $hook -Secret $sign; $t; " +
                            "try { Send-DsNotification -Target $t -Message 'hello' -Verbose } catch { $_ }",
            HostileMode.BadRequest, (m, p) => p.StartsWith("hook/"));
        Assert.NotEmpty(AllErrors(notify));

        // The secrets did travel and were echoed (otherwise this test proves nothing) ...
        string echoed;
        lock (_server.Echoed) echoed = string.Join("\n", _server.Echoed);
        foreach (var secret in new[] { _token, _password, _session, _dataSourcePassword, _webhookKey })
            Assert.Contains(secret, echoed);

        // ... and none of them is anywhere the user or a log can see.
        var seen = new List<(string Where, string Text)>();
        foreach (var r in _results) seen.Add(("streams", r.AllText() + "\n" + string.Join("\n", AllErrors(r).Select(Describe))));
        var errors = (ArrayList)_engine.Runspace.SessionStateProxy.GetVariable("Error");
        Assert.NotEmpty(errors);
        foreach (var e in errors) seen.Add(("$Error", e is ErrorRecord er ? Describe(er) : e.ToString() ?? ""));
        foreach (var file in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".yaml")))
            seen.Add((Path.GetFileName(file), File.ReadAllText(file)));
        Assert.Contains(seen, s => s.Where == "plan.json");
        foreach (var secret in new[] { _token, _password, _session, _dataSourcePassword, _webhookKey, _signingSecret })
        foreach (var (where, text) in seen)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..^12]}) leaked into {where}: {Excerpt(text, secret)}");
    }

    [Fact]
    public void In_a_real_pwsh_a_transcript_with_verbose_output_and_the_error_list_holds_no_echoed_secret()
    {
        // PowerShell's own host (the pinned `dotnet pwsh`), so Start-Transcript records what a user's console shows.
        _server.Choose = (method, path) => method == "GET" && path.EndsWith("/projects") ? HostileMode.JsonMessage
            : path.EndsWith("/tenants") ? HostileMode.Redirect : HostileMode.Normal;
        var dll = typeof(DsOps.Commands.DsCmdlet).Assembly.Location;
        var manifest = Path.Combine(Path.GetDirectoryName(dll)!, "DsOps.psd1");
        var transcript = Path.Combine(_dir, "transcript.txt");
        var script = Path.Combine(_dir, "leak.ps1");
        File.WriteAllText(script, """
            param($Module, $Uri, $Transcript)
            $ErrorActionPreference = 'Continue'
            Import-Module $Module
            Start-Transcript -Path $Transcript | Out-Null
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            $token = ConvertTo-SecureString $env:DSOPS_LEAK_TOKEN -AsPlainText -Force
            $c = Connect-DsServer -Uri $Uri -Token $token -Verbose
            $c | Format-List * | Out-String | Write-Host
            Get-DsProject -Connection $c -Verbose
            try { Get-DsTenant -Connection $c -ErrorAction Stop } catch { $_ | Format-List * -Force | Out-String | Write-Host }
            $Error | ForEach-Object { $_ | Format-List * -Force | Out-String | Write-Host; $_.Exception | Format-List * -Force | Out-String | Write-Host }
            Write-Host "errors: $($Error.Count)"
            Stop-Transcript | Out-Null
            """);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = DsOps.Testing.RepoPaths.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", script, "-Module", manifest, "-Uri", _server.DsUri.ToString(), "-Transcript", transcript })
            psi.ArgumentList.Add(a);
        psi.Environment["DSOPS_LEAK_TOKEN"] = _token;
        using var pwsh = System.Diagnostics.Process.Start(psi)!;
        var stdout = pwsh.StandardOutput.ReadToEndAsync();
        var stderr = pwsh.StandardError.ReadToEndAsync();
        Assert.True(pwsh.WaitForExit(180_000), "pwsh did not finish within 3 minutes");
        var console = stdout.Result + "\n" + stderr.Result;
        Assert.True(File.Exists(transcript), "no transcript was written (is the tool manifest restored? `dotnet tool restore`): " + console);
        var text = File.ReadAllText(transcript);

        Assert.Contains("errors: ", text);
        Assert.Contains("DsRedirected", text);
        Assert.Contains("request was: ***", text); // the echo arrived and was masked
        lock (_server.Echoed) Assert.Contains(_server.Echoed, e => e.Contains(_token, StringComparison.Ordinal));
        Assert.False(text.Contains(_token, StringComparison.Ordinal), "the token leaked into the transcript: " + Excerpt(text, _token));
        Assert.False(console.Contains(_token, StringComparison.Ordinal), "the token leaked onto the console: " + Excerpt(console, _token));
    }

    /// <summary>Errors written to the error stream and terminating errors caught and output by the script.</summary>
    private static List<ErrorRecord> AllErrors(HostedResult r) => r.Errors.Concat(r.Objects<ErrorRecord>()).ToList();

    /// <summary>Everything an ErrorRecord can show: its text, details, exception chain (messages and ToString) and target.</summary>
    private static string Describe(ErrorRecord e)
    {
        var parts = new List<string> { e.ToString(), e.FullyQualifiedErrorId, e.ErrorDetails?.Message ?? "", e.CategoryInfo.ToString(), e.TargetObject?.ToString() ?? "" };
        for (Exception? x = e.Exception; x is not null; x = x.InnerException) parts.Add(x.ToString());
        if (e.Exception is DsApiException a) parts.Add(a.DsMessage ?? "");
        return string.Join("\n", parts);
    }

    private static string Excerpt(string text, string secret)
    {
        var i = text.IndexOf(secret, StringComparison.Ordinal);
        return text.Substring(Math.Max(0, i - 150), Math.Min(300, text.Length - Math.Max(0, i - 150)));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        _engine.Dispose();
        _server.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

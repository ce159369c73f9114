using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DsOps.StartupHost;

/// <summary>
/// One measured start: opens a runspace and runs a first command as script text, like `pwsh -NoProfile -Command`.
/// Usage: DsOps.StartupHost bare | module &lt;path to DsOps.psd1&gt; | import &lt;path to any module manifest&gt;
/// Both modes start the same local DS stand-in, so the only difference is DsOps's own work.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        using var listener = StartStandIn(out var uri);
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        // The token is handed in as a variable, as Get-Secret would return it: building a SecureString through
        // PowerShell's method binder is not DsOps's cost. Both modes get it.
        runspace.SessionStateProxy.SetVariable("t", new System.Net.NetworkCredential("", "x").SecurePassword);
        if (args is ["module", var manifest])
        {
            // Import, connect (one verifying request) and list projects: a typical first command.
            ps.AddScript($"Import-Module '{manifest}'; $null = Connect-DsServer -Uri '{uri}' -Token $t -Version 3.2; Get-DsProject");
        }
        else if (args is ["import", var other])
        {
            // Import only: with a one-function script module this is PowerShell's own cost of a first Import-Module.
            ps.AddScript($"Import-Module '{other}'");
        }
        else if (args is ["bare"])
        {
            ps.AddScript("Get-Command -Name Get-Command");
        }
        else
        {
            Console.Error.WriteLine("usage: DsOps.StartupHost bare | module <path to DsOps.psd1> | import <path to a module manifest>");
            return 2;
        }
        ps.Invoke();
        if (ps.HadErrors)
        {
            Console.Error.WriteLine(string.Join("; ", ps.Streams.Error));
            return 1;
        }
        return 0;
    }

    /// <summary>An HttpListener answering every DS call with an empty successful page.</summary>
    private static System.Net.HttpListener StartStandIn(out Uri uri)
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new System.Net.HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/dolphinscheduler/");
            try { listener.Start(); } catch (System.Net.HttpListenerException) { continue; }
            uri = new Uri($"http://127.0.0.1:{port}/dolphinscheduler/");
            var body = System.Text.Encoding.UTF8.GetBytes("{\"code\":0,\"msg\":\"success\",\"data\":{\"totalList\":[],\"total\":0,\"totalPage\":1,\"pageSize\":100,\"currentPage\":1},\"success\":true,\"failed\":false}");
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    try
                    {
                        var ctx = await listener.GetContextAsync();
                        ctx.Response.ContentType = "application/json";
                        // HttpListener delays answers on reused connections by ~40 ms (delayed ACK); closing each one
                        // keeps the stand-in's own latency out of the measurement.
                        ctx.Response.KeepAlive = false;
                        await ctx.Response.OutputStream.WriteAsync(body);
                        ctx.Response.Close();
                    }
                    catch (Exception) { return; }
                }
            });
            return listener;
        }
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Provenance;

/// <summary>
/// Runs the git command line: the one way DsOps reads Git (script sources and provenance). The git executable is
/// used rather than a managed or native library because it reads every repository layout git itself writes (packs,
/// worktrees, partial clones, SHA-256 object formats), takes credentials from the user's own git configuration, and
/// adds no per-platform native binary to the module. Never waits for a password (GIT_TERMINAL_PROMPT=0); messages
/// never contain user:password@ parts of addresses.
/// </summary>
internal static partial class GitCli
{
    [GeneratedRegex(@"//[^/@]+@")]
    private static partial Regex UserInfo();

    /// <summary>The text without user:password@ parts of URLs (for messages and provenance).</summary>
    public static string Safe(string text) => UserInfo().Replace(text, "//***@");

    /// <summary>Runs git with <paramref name="args"/>; <paramref name="gitDir"/> (a work tree or a bare repository) becomes --git-dir.</summary>
    public static string Run(string? gitDir, TimeSpan timeout, params string[] args)
    {
        var psi = Start(args);
        if (gitDir is not null)
        {
            psi.ArgumentList.Insert(0, Directory.Exists(Path.Combine(gitDir, ".git")) ? Path.Combine(gitDir, ".git") : gitDir);
            psi.ArgumentList.Insert(0, "--git-dir");
        }
        return Execute(psi, timeout, args[0]);
    }

    /// <summary>Runs git in <paramref name="workDir"/> (git -C); null when git fails (e.g. not a repository).</summary>
    public static string? TryRunIn(string workDir, TimeSpan timeout, params string[] args)
    {
        var psi = Start(args);
        psi.ArgumentList.Insert(0, workDir);
        psi.ArgumentList.Insert(0, "-C");
        try
        {
            return Execute(psi, timeout, args[0]);
        }
        catch (DsOpsException ex) when (ex.ErrorId == "DsGitScriptFailed")
        {
            return null;
        }
    }

    /// <summary>
    /// Runs git in <paramref name="workDir"/> and hands each output line to <paramref name="onLine"/> as it arrives;
    /// when it returns false git is stopped (a history walk that found what it needed). Failures are ignored.
    /// </summary>
    public static void ReadLinesIn(string workDir, TimeSpan timeout, Func<string, bool> onLine, params string[] args)
    {
        var psi = Start(args);
        psi.ArgumentList.Insert(0, workDir);
        psi.ArgumentList.Insert(0, "-C");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("git did not start");
        _ = process.StandardError.ReadToEndAsync(); // drained, not shown
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
                if (!onLine(line) || DateTime.UtcNow > deadline) break;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    private static ProcessStartInfo Start(string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("core.quotePath=false");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0"; // never wait for a password
        return psi;
    }

    private static string Execute(ProcessStartInfo psi, TimeSpan timeout, string verb)
    {
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("git did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new DsOpsException(DsErrorKind.InvalidState, "DsGitNotInstalled", "Reading Git needs the git command line, which was not found.", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                throw new DsOpsException(DsErrorKind.Timeout, "DsGitScriptFailed", $"git {verb} did not finish within {timeout.TotalSeconds:F0} s.");
            }
            if (process.ExitCode != 0)
                throw new DsOpsException(DsErrorKind.NotFound, "DsGitScriptFailed", $"git {verb} failed: {Safe(stderr.Result.Trim())}");
            return stdout.Result;
        }
    }
}

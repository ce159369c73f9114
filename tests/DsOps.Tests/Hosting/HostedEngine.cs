using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DsOps.Commands;

namespace DsOps.Tests.Hosting;

/// <summary>
/// The real PowerShell engine (System.Management.Automation) hosted in-process with DsOps imported
/// from this build's output (manifest, format views and help included). One runspace per instance:
/// the default connection lives in its session state, so tests do not leak into each other.
/// Only core cmdlets exist here (no Select-Object, ConvertTo-Json...): assert on objects in C#.
/// </summary>
public sealed class HostedEngine : IDisposable
{
    private readonly Runspace _runspace;

    public HostedEngine()
    {
        var iss = InitialSessionState.CreateDefault2();
        var dll = typeof(DsCmdlet).Assembly.Location;
        var manifest = Path.Combine(Path.GetDirectoryName(dll)!, "DsOps.psd1");
        iss.ImportPSModule(new[] { File.Exists(manifest) ? manifest : dll });
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
    }

    public Runspace Runspace => _runspace;

    /// <summary>Runs one command with named parameters (anonymous object or IDictionary) and optional pipeline input.</summary>
    public HostedResult Run(string command, object? parameters = null, IEnumerable? input = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(command);
        foreach (var (name, value) in ParametersOf(parameters))
            ps.AddParameter(name, value);
        var output = input is null ? ps.Invoke() : ps.Invoke(input);
        return new HostedResult(output, ps.Streams, ps.HadErrors);
    }

    /// <summary>Runs a script (only core cmdlets are available) and returns its output and streams.</summary>
    public HostedResult Script(string script, IDictionary? variables = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        if (variables is not null)
            foreach (DictionaryEntry v in variables) _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
        ps.AddScript(script);
        var output = ps.Invoke();
        return new HostedResult(output, ps.Streams, ps.HadErrors);
    }

    private static IEnumerable<(string, object?)> ParametersOf(object? parameters)
    {
        switch (parameters)
        {
            case null: yield break;
            case IDictionary d:
                foreach (DictionaryEntry e in d) yield return ((string)e.Key, e.Value);
                yield break;
            default:
                foreach (var p in parameters.GetType().GetProperties()) yield return (p.Name, p.GetValue(parameters));
                yield break;
        }
    }

    public void Dispose() => _runspace.Dispose();
}

/// <summary>What a hosted invocation produced.</summary>
public sealed class HostedResult
{
    public HostedResult(IReadOnlyList<PSObject> output, PSDataStreams streams, bool hadErrors)
    {
        Output = output;
        Errors = streams.Error.ToList();
        Warnings = streams.Warning.Select(w => w.Message).ToList();
        Verbose = streams.Verbose.Select(w => w.Message).ToList();
        Debug = streams.Debug.Select(w => w.Message).ToList();
        Information = streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList();
        Progress = streams.Progress.ToList();
        HadErrors = hadErrors;
    }

    public IReadOnlyList<PSObject> Output { get; }
    public IReadOnlyList<ErrorRecord> Errors { get; }
    public IReadOnlyList<string> Warnings { get; }
    public IReadOnlyList<string> Verbose { get; }
    public IReadOnlyList<string> Debug { get; }
    public IReadOnlyList<string> Information { get; }
    public IReadOnlyList<ProgressRecord> Progress { get; }
    public bool HadErrors { get; }

    /// <summary>Output objects of type T (unwrapped from PSObject).</summary>
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>All text of every stream and every output object's ToString, for secret-leak assertions.</summary>
    public string AllText() => string.Join("\n",
        Output.Select(o => o?.ToString() ?? "")
            .Concat(Errors.Select(e => e.ToString() + " " + e.Exception + " " + e.ErrorDetails?.Message + " " + e.TargetObject))
            .Concat(Warnings).Concat(Verbose).Concat(Debug).Concat(Information)
            .Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription)));
}

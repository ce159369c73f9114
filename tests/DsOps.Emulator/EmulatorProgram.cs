using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using DsOps.Testing;
using DsOps.Testing.History;

namespace DsOps.Emulator;

/// <summary>
/// Standalone emulator: <c>dotnet run --project tests/DsOps.Emulator -- --dialect 3.2 [--sandbox]</c>.
/// It owns everything it starts (a throwaway MariaDB in its work folder) and removes it when it stops: on Ctrl+C,
/// SIGTERM, SIGHUP, when standard input closes (<c>--exit-on-stdin-eof</c>) or when a watched process ends.
/// </summary>
public static class EmulatorProgram
{
    private const string Usage =
        "DsOps DolphinScheduler emulator\n" +
        "  --dialect 3.0|3.1|3.2|3.3|3.4 DS version to emulate (default 3.2; 3.4 = 3.4.3, or 3.4.0..3.4.3)\n" +
        "  --mysql <conn string>        MariaDB/MySQL database (empty or with the DS schema); default: a throwaway MariaDB\n" +
        "  --port <n>                   loopback port (default: a free port)\n" +
        "  --acceleration <x>           simulated seconds per real second (default 60)\n" +
        "  --clock-start <time>         where the simulated clock starts, e.g. 2026-03-01T08:00:00 (UTC; default now)\n" +
        "  --sandbox                    demo content: projects, scheduled workflows and 30 days of run history ending\n" +
        "                               the day before the clock start (same as --history-days 30 with demo names)\n" +
        "  --history-days <n>           generate n days of run history ending the day before the clock start\n" +
        "  --history-workflows <n>      workflows in that history (default 40, ten tasks each)\n" +
        "  --history-seed <n>           random seed of the history (default 42)\n" +
        "  --history-chain-days <n>     add project 'chain': n days with a known critical chain ending the day before the\n" +
        "                               clock start, and that day's runs as of 02:10 with the upstream late\n" +
        "  --work-dir <path>            folder for the throwaway MariaDB and the info file (default: a new temp folder);\n" +
        "                               removed when the emulator stops\n" +
        "  --info-file <path>           write {apiUri, token, metadataConnectionString, dialect, pid, workDir,\n" +
        "                               databaseServerPid} as JSON once ready (default: <work-dir>/info.json)\n" +
        "  --exit-on-stdin-eof          stop when standard input closes (a parent's lifetime link)\n" +
        "  --watch-pid <pid[,pid...]>   stop when any of these processes ends\n" +
        "  --companion-pid-file <path>  a file holding the pid of a process to end with the emulator (the sandbox shell)\n" +
        "  --ignore-sigint              leave Ctrl+C to the terminal's foreground program (the sandbox shell)\n" +
        "  --cluster single|three       emulated services: one host (default) or three 8 GB loopback hosts (127.0.0.1-3),\n" +
        "                               each with its own actuator port; <work-dir>/health.yaml holds their inventory\n" +
        "  --measure <n>                create n workflows of 10 tasks, list them all, print timings and exit\n" +
        "  --fault-error-rate <0..1>    fraction of requests answered HTTP 503; --fault-429-rate <0..1> HTTP 429;\n" +
        "                               --fault-drop-rate <0..1> connection dropped; --fault-latency-ms <n> added delay;\n" +
        "                               --fault-drip-bytes-per-sec <n> answers sent slowly; --fault-seed <n> (default 12345)";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new EmulatorOptions { AutoRun = true };
        var cli = new CommandLine();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--dialect": options.Dialect = Next(); break;
                    case "--mysql": options.ConnectionString = Next(); break;
                    case "--port": options.Port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--acceleration": options.Acceleration = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--clock-start":
                        options.ClockStart = DateTime.SpecifyKind(DateTime.Parse(Next(), CultureInfo.InvariantCulture,
                            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc);
                        break;
                    case "--measure": cli.Measure = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--sandbox": cli.Sandbox = true; break;
                    case "--cluster":
                        options.Cluster = Next() switch
                        {
                            "single" => Cluster.EmulatedCluster.SingleHost(),
                            "three" => Cluster.EmulatedCluster.ThreeHosts(),
                            var other => throw new ArgumentException($"--cluster takes single or three, not '{other}'"),
                        };
                        break;
                    case "--history-days": cli.HistoryDays = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--history-workflows": cli.HistoryWorkflows = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--history-seed": cli.HistorySeed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--history-chain-days": cli.HistoryChainDays = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--work-dir": cli.WorkDir = Path.GetFullPath(Next()); break;
                    case "--info-file": cli.InfoFile = Path.GetFullPath(Next()); break;
                    case "--exit-on-stdin-eof": cli.ExitOnStdinEof = true; break;
                    case "--watch-pid":
                        cli.WatchPids.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)
                            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
                        break;
                    case "--companion-pid-file": cli.CompanionPidFile = Path.GetFullPath(Next()); break;
                    case "--ignore-sigint": cli.IgnoreSigint = true; break;
                    case "--fault-error-rate" or "--fault-429-rate" or "--fault-drop-rate" or "--fault-latency-ms" or "--fault-drip-bytes-per-sec" or "--fault-seed":
                        var (option, value) = (args[i], Next());
                        var previous = options.Faults;
                        options.Faults = f => { previous?.Invoke(f); f.TrySet(option, value); };
                        new Hosting.FaultSettings().TrySet(option, value); // refuses a bad value now, before anything starts
                        break;
                    case "--help" or "-h":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        Console.Error.WriteLine($"Unknown argument '{args[i]}' (see --help).");
                        return 2;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"Bad argument: {ex.Message} (see --help).");
            return 2;
        }
        if (cli.Sandbox) cli.HistoryDays ??= 30;
        if (cli.Measure > 0) options.AutoRun = false;

        using var stop = new CancellationTokenSource();
        using var signals = RegisterSignals(stop, cli.IgnoreSigint);
        var workDir = cli.WorkDir ?? Path.Combine(Path.GetTempPath(), "dsops-emulator-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(workDir);
        if (cli.InfoFile is null && cli.WorkDir is not null) cli.InfoFile = Path.Combine(workDir, "info.json");

        MariaDbServer? mariaDb = null;
        DsEmulator? emu = null;
        try
        {
            if (options.ConnectionString is null)
            {
                // Our own server in our own folder, so that stopping removes all of it (not the shared test fixture).
                mariaDb = await MariaDbServer.StartAsync(stop.Token, workDir).ConfigureAwait(false);
                options.ConnectionString = await mariaDb.CreateDsDatabaseAsync(
                    DsEmulator.SchemaLabel(Engine.Dialects.DsDialect.Parse(options.Dialect)), stop.Token).ConfigureAwait(false);
            }
            var clockStart = options.ClockStart ?? DateTime.UtcNow;
            options.ClockStart = clockStart.AddTicks(-(clockStart.Ticks % TimeSpan.TicksPerSecond));

            if (cli.HistoryDays is { } days)
            {
                // History first, so the simulated master starts on a database that already has its schedules.
                Console.WriteLine($"Generating {days} days of run history for {cli.HistoryWorkflows} workflows ...");
                await HistoryGenerator.GenerateAsync(options.ConnectionString,
                    Engine.Dialects.DsDialect.Parse(options.Dialect), SandboxHistory(cli, days, options.ClockStart.Value), stop.Token).ConfigureAwait(false);
            }

            if (cli.HistoryChainDays is { } chainDays)
            {
                Console.WriteLine($"Generating {chainDays} days of critical-chain history (project chain) ...");
                await CriticalChainHistory.GenerateAsync(options.ConnectionString, Engine.Dialects.DsDialect.Parse(options.Dialect),
                    DateOnly.FromDateTime(options.ClockStart.Value).AddDays(-1), chainDays, ChainToday.UpstreamLate, stop.Token).ConfigureAwait(false);
            }

            emu = await DsEmulator.StartAsync(options, stop.Token).ConfigureAwait(false);
            if (cli.Measure > 0)
            {
                Console.WriteLine($"Measuring DS {emu.Dialect.Family} emulator throughput: {cli.Measure} workflows x 10 tasks ...");
                var report = await Measurement.ThroughputProbe.RunAsync(emu, cli.Measure, progress: Console.WriteLine).ConfigureAwait(false);
                Console.WriteLine(report);
                return 0;
            }

            Console.WriteLine($"DS {emu.Dialect.Family} emulator listening on {emu.BaseUri}");
            Console.WriteLine($"API URL:             {emu.BaseUri}");
            Console.WriteLine($"Access token:        {emu.AdminToken}   (header 'token'; login admin / dolphinscheduler123)");
            Console.WriteLine($"Metadata connection: {emu.ConnectionString}");
            Console.WriteLine($"Simulated clock:     {emu.Clock.Now:yyyy-MM-dd HH:mm:ss} UTC, x{options.Acceleration:0.#}");
            var healthConfig = Path.Combine(workDir, "health.yaml");
            File.WriteAllText(healthConfig, emu.HealthConfigYaml());
            Console.WriteLine($"Health config:       {healthConfig}   (faults: POST {new Uri(emu.BaseUri, "/emulator/")}...)");
            if (cli.InfoFile is not null) WriteInfoFile(cli.InfoFile, emu, workDir, mariaDb?.ProcessId, healthConfig);
            Console.WriteLine(cli.ExitOnStdinEof ? "Stops when standard input closes, or on Ctrl+C / SIGTERM." : "Ctrl+C or SIGTERM to stop.");

            if (cli.ExitOnStdinEof) WatchStandardInput(stop);
            if (cli.WatchPids.Count > 0) WatchProcesses(cli.WatchPids, stop);
            try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130; // stopped while starting
        }
        finally
        {
            EndCompanion(cli.CompanionPidFile);
            if (emu is not null) await emu.DisposeAsync().ConfigureAwait(false);
            mariaDb?.Dispose();
            TryDeleteFolder(workDir);
            if (cli.InfoFile is not null) TryDeleteFile(cli.InfoFile);
            Console.WriteLine("Emulator stopped; its database server and temporary data are removed.");
        }
    }

    /// <summary>The sandbox's history: demo project names, ten tasks per workflow, ending the day before the clock start.</summary>
    private static HistoryOptions SandboxHistory(CommandLine cli, int days, DateTime clockStart) => new()
    {
        Days = days,
        Workflows = cli.HistoryWorkflows,
        TasksPerDay = cli.HistoryWorkflows * 10,
        Seed = cli.HistorySeed,
        LastDay = DateOnly.FromDateTime(clockStart).AddDays(-1),
        ProjectNames = cli.Sandbox ? new[] { "demo_sales", "demo_finance", "demo_marketing" } : null,
        WorkflowNamePrefix = cli.Sandbox ? "daily" : "wf",
        FailureRate = 0.05,
        Commands = 5,
        ErrorCommands = 1,
    };

    private static void WriteInfoFile(string path, DsEmulator emu, string workDir, int? databaseServerPid, string healthConfig)
    {
        var info = new Dictionary<string, object?>
        {
            ["apiUri"] = emu.BaseUri.ToString(),
            ["token"] = emu.AdminToken,
            ["metadataConnectionString"] = emu.ConnectionString,
            ["dialect"] = emu.Dialect.Family,
            ["pid"] = Environment.ProcessId,
            ["workDir"] = workDir,
            ["databaseServerPid"] = databaseServerPid,
            ["healthConfig"] = healthConfig,
            ["controlUri"] = new Uri(emu.BaseUri, "/emulator/").ToString(),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true); // readers never see half a file
    }

    private static IDisposable RegisterSignals(CancellationTokenSource stop, bool ignoreSigint)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT, PosixSignal.SIGINT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we stop ourselves, after cleaning up
                if (context.Signal == PosixSignal.SIGINT && ignoreSigint) return;
                stop.Cancel();
            }));
        }
        return new Registrations(registrations);
    }

    private static void WatchStandardInput(CancellationTokenSource stop) =>
        new Thread(() =>
        {
            try
            {
                using var input = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (input.Read(buffer, 0, buffer.Length) > 0) { }
            }
            catch (IOException) { }
            stop.Cancel();
        }) { IsBackground = true, Name = "stdin watch" }.Start();

    private static void WatchProcesses(IReadOnlyList<int> pids, CancellationTokenSource stop) =>
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (pids.Any(p => !IsAlive(p))) { stop.Cancel(); return; }
                try { await Task.Delay(500, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        });

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void EndCompanion(string? pidFile)
    {
        if (pidFile is null || !File.Exists(pidFile)) return;
        try
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                if (!p.HasExited) p.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception) { }
    }

    private static void TryDeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDeleteFile(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class CommandLine
    {
        public int Measure { get; set; }
        public bool Sandbox { get; set; }
        public int? HistoryDays { get; set; }
        public int HistoryWorkflows { get; set; } = 40;
        public int HistorySeed { get; set; } = 42;
        public int? HistoryChainDays { get; set; }
        public string? WorkDir { get; set; }
        public string? InfoFile { get; set; }
        public bool ExitOnStdinEof { get; set; }
        public List<int> WatchPids { get; } = new();
        public string? CompanionPidFile { get; set; }
        public bool IgnoreSigint { get; set; }
    }

    private sealed class Registrations(List<PosixSignalRegistration> items) : IDisposable
    {
        public void Dispose() => items.ForEach(r => r.Dispose());
    }
}

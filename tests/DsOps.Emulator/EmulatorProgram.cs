using System.Globalization;

namespace DsOps.Emulator;

/// <summary>Standalone sandbox: <c>dotnet run --project tests/DsOps.Emulator -- --dialect 3.2 --mysql "Server=…;Database=…"</c>.</summary>
public static class EmulatorProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new EmulatorOptions { AutoRun = true };
        var measure = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--dialect": options.Dialect = Next(); break;
                case "--mysql": options.ConnectionString = Next(); break;
                case "--port": options.Port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--acceleration": options.Acceleration = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--measure": measure = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--help" or "-h":
                    Console.WriteLine("DsOps DolphinScheduler emulator\n  --dialect 3.0|3.2|3.3   DS version to emulate (default 3.2)\n" +
                        "  --mysql <conn string>   MariaDB/MySQL database (empty or with the DS schema); default: a throwaway MariaDB\n" +
                        "  --port <n>              loopback port (default: free port)\n  --acceleration <x>      simulated seconds per real second (default 60)\n" +
                        "  --measure <n>           create n workflows of 10 tasks, list them all, print timings and exit");
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}' (see --help).");
                    return 2;
            }
        }
        if (measure > 0) options.AutoRun = false;
        await using var emu = await DsEmulator.StartAsync(options).ConfigureAwait(false);
        if (measure > 0)
        {
            Console.WriteLine($"Measuring DS {emu.Dialect.Family} emulator throughput: {measure} workflows x 10 tasks ...");
            var report = await Measurement.ThroughputProbe.RunAsync(emu, measure, progress: Console.WriteLine).ConfigureAwait(false);
            Console.WriteLine(report);
            return 0;
        }
        Console.WriteLine($"DS {emu.Dialect.Family} emulator listening on {emu.BaseUri}");
        Console.WriteLine($"Admin access token (header 'token'): {emu.AdminToken}");
        Console.WriteLine("Login: admin / dolphinscheduler123. Ctrl+C to stop.");
        var done = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
        await done.Task.ConfigureAwait(false);
        return 0;
    }
}

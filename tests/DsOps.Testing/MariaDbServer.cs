using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("DsOps.Tests")]

namespace DsOps.Testing;

/// <summary>
/// A throwaway MariaDB server on a free loopback port with its own temporary data directory.
/// Start one per test process (see <see cref="MariaDbFixture"/>) and create one database per test:
/// creating a database and loading a DS schema takes well under a second.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly string _root;
    private int _databaseCounter;

    private MariaDbServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's process id (tests check that it is gone after dispose).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The folder holding the server's data, socket and pid file; deleted on dispose.</summary>
    public string RootFolder => _root;

    /// <summary>Connection string of the server's root account (no database selected).</summary>
    public string AdminConnectionString => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1", Port = (uint)Port, UserID = "root", Password = "",
        AllowUserVariables = true, Pooling = true, ConnectionTimeout = 10,
    }.ConnectionString;

    /// <summary>Connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        new MySqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>mariadbd's path: DSOPS_MARIADBD if set, else PATH, /usr/sbin and /usr/local/sbin.</summary>
    public static string FindServerBinary() => FindServerBinary(Environment.GetEnvironmentVariable("DSOPS_MARIADBD"));

    internal static string FindServerBinary(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured) ? configured : throw new InvalidOperationException(
                $"DSOPS_MARIADBD points to '{configured}', which does not exist. Install MariaDB ('apt-get install mariadb-server') or fix the variable.");
        foreach (var name in new[] { "mariadbd", "mysqld" })
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/local/sbin"))
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path)) return path;
            }
        }
        throw new InvalidOperationException(
            "mariadbd was not found on PATH or in /usr/sbin. The metadata tests need a MariaDB server binary: " +
            "install it with 'apt-get install mariadb-server' (the .ci/run script does this).");
    }

    private static string FindInstallDb(string serverBinary)
    {
        foreach (var candidate in new[] { "/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db",
                     Path.Combine(Path.GetDirectoryName(serverBinary)!, "mariadb-install-db") })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("mariadb-install-db was not found; install mariadb-server.");
    }

    /// <summary>Starts a server whose data lives in a new folder below <paramref name="parentFolder"/> (default: the
    /// system temp folder); disposing the server stops it and deletes that folder.</summary>
    /// <param name="ownerProcessId">The process whose end stops the server (default: this one).</param>
    public static async Task<MariaDbServer> StartAsync(CancellationToken cancellationToken = default, string? parentFolder = null, int? ownerProcessId = null)
    {
        var server = FindServerBinary();
        var installDb = FindInstallDb(server);
        var root = Path.Combine(parentFolder ?? Path.GetTempPath(), "dsops-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        // Its own temp folder: servers bootstrapping at the same time in the shared /tmp failed on each other's
        // temporary tables ("Could not remove temporary table '/tmp/#sql-temptable-…'").
        var tmp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(tmp);

        var runAsRoot = Environment.UserName == "root";
        await RunToEndAsync(installDb, new[]
        {
            "--no-defaults", $"--datadir={data}", "--auth-root-authentication-method=normal",
            "--skip-test-db", $"--tmpdir={tmp}", runAsRoot ? "--user=root" : "",
        }, cancellationToken).ConfigureAwait(false);

        var port = FreePort();
        var psi = new ProcessStartInfo(server)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--no-defaults", $"--datadir={data}", $"--tmpdir={tmp}", $"--socket={Path.Combine(root, "mysqld.sock")}",
                     $"--port={port}", "--bind-address=127.0.0.1", "--skip-name-resolve", "--skip-log-bin",
                     $"--pid-file={Path.Combine(root, "mysqld.pid")}", "--innodb-buffer-pool-size=256M",
                     "--innodb-flush-log-at-trx-commit=2", "--max-connections=500",
                     "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                 })
            psi.ArgumentList.Add(arg);
        if (runAsRoot) psi.ArgumentList.Add("--user=root");

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + server);
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        WatchOwner(process.Id, ownerProcessId ?? Environment.ProcessId, root);
        var instance = new MariaDbServer(process, root, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                instance.Dispose();
                throw new InvalidOperationException($"mariadbd exited with code {process.ExitCode}:\n{log}");
            }
            try
            {
                await using var conn = new MySqlConnection(instance.AdminConnectionString);
                await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
                return instance;
            }
            catch (MySqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates an empty database with a unique name and returns that name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "db", CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..6]}";
        name = new string(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
        await using var conn = new MySqlConnection(AdminConnectionString);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4", conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>
    /// Creates a database and loads DS's verbatim MySQL DDL for <paramref name="dsVersion"/>
    /// (3.0.1, 3.1.9, 3.2.2, 3.3-dev or 3.4.3). Returns the connection string.
    /// </summary>
    public async Task<string> CreateDsDatabaseAsync(string dsVersion, CancellationToken cancellationToken = default)
    {
        var path = RepoPaths.Schema(dsVersion);
        if (!File.Exists(path)) throw new FileNotFoundException($"No DS schema for version '{dsVersion}'", path);
        var db = await CreateDatabaseAsync("ds" + dsVersion, cancellationToken).ConfigureAwait(false);
        var cs = ConnectionString(db);
        await ExecuteScriptAsync(cs, await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return cs;
    }

    /// <summary>Runs a multi-statement SQL script (no DELIMITER blocks) on the given database.</summary>
    public static async Task ExecuteScriptAsync(string connectionString, string script, CancellationToken cancellationToken = default)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString) { AllowUserVariables = true };
        await using var conn = new MySqlConnection(builder.ConnectionString);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new MySqlCommand(script, conn) { CommandTimeout = 300 };
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var db = new MySqlConnectionStringBuilder(connectionString).Database;
        await using var conn = new MySqlConnection(AdminConnectionString);
        await conn.OpenAsync().ConfigureAwait(false);
        await using var cmd = new MySqlCommand($"DROP DATABASE IF EXISTS `{db.Replace("`", "``")}`", conn);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunToEndAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args.Where(a => a.Length > 0)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + file);
        var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} failed with exit code {p.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    /// <summary>
    /// A test host that is killed rather than exits (ProcessExit and Dispose never run) would leave mariadbd running for
    /// good (one leaked from a CI run was found stopped, holding 250 MB, and folders half deleted by a host killed while
    /// disposing). A small shell keeps watch beside it: once the owner is gone it kills the server (throwaway data: no
    /// clean shutdown needed) and removes its folder if Dispose did not; it ends when the folder is gone. It is not the
    /// server's parent, so stopping the server the usual way is unchanged.
    /// </summary>
    private static void WatchOwner(int serverPid, int ownerPid, string root)
    {
        if (OperatingSystem.IsWindows()) return;
        var watch = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        watch.ArgumentList.Add("-c");
        // A process that has exited but was not reaped (a zombie, e.g. under an init that does not reap) counts as gone.
        // After the server, the folder: Dispose removes it; if the owner died before (or while) doing that, the watch does.
        // It ignores the signals a terminal or `timeout` sends to the whole process group, or it would die with its owner.
        watch.ArgumentList.Add("trap '' HUP INT TERM; alive() { [ -r /proc/$1/status ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status; }; " +
                               $"while alive {serverPid}; do alive {ownerPid} || kill -KILL {serverPid}; sleep 1; done; " +
                               $"while alive {ownerPid} && [ -d '{root}' ]; do sleep 1; done; rm -rf '{root}'");
        using var _ = Process.Start(watch);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

namespace DsOps.Testing;

/// <summary>
/// One MariaDB server per test process, started on first use and stopped at process exit.
/// xunit classes share it through <see cref="Shared"/>; each test creates its own database.
/// </summary>
public static class MariaDbFixture
{
    private static readonly Lazy<Task<MariaDbServer>> Server = new(async () =>
    {
        var server = await MariaDbServer.StartAsync().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<MariaDbServer> Shared => Server.Value;

    /// <summary>DS schema versions the project tests against (dialects 3.0, 3.2 and 3.3).</summary>
    public static readonly string[] DialectSchemas = { "3.0.1", "3.2.2", "3.3-dev" };
}

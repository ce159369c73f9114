using DsOps.Testing;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Testing;

public class MariaDbFixtureTests
{
    [Theory]
    [InlineData("3.0.1", "t_ds_process_definition", 59)]
    [InlineData("3.2.2", "t_ds_process_definition", 67)]
    [InlineData("3.3-dev", "t_ds_workflow_definition", 70)]
    public async Task Loads_ds_s_verbatim_schema_into_a_fresh_database(string version, string definitionTable, int tables)
    {
        var server = await MariaDbFixture.Shared;
        var cs = await server.CreateDsDatabaseAsync(version);
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new MySqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()", conn);
        Assert.Equal(tables, Convert.ToInt32(await cmd.ExecuteScalarAsync()));
        cmd.CommandText = $"SELECT COUNT(*) FROM {definitionTable}";
        Assert.Equal(0, Convert.ToInt32(await cmd.ExecuteScalarAsync()));
        cmd.CommandText = "SELECT user_name FROM t_ds_user WHERE id = 1";
        Assert.Equal("admin", await cmd.ExecuteScalarAsync());
        await server.DropDatabaseAsync(cs);
    }

    [Fact]
    public async Task A_server_of_its_own_starts_on_loopback_and_is_removed_on_dispose()
    {
        var server = await MariaDbServer.StartAsync();
        var port = server.Port;
        await using (var conn = new MySqlConnection(server.AdminConnectionString))
        {
            await conn.OpenAsync();
            Assert.Contains("MariaDB", conn.ServerVersion);
        }
        server.Dispose();
        await using var again = new MySqlConnection(new MySqlConnectionStringBuilder(server.AdminConnectionString) { ConnectionTimeout = 2 }.ConnectionString);
        await Assert.ThrowsAsync<MySqlException>(() => again.OpenAsync());
        Assert.True(port > 0);
    }

    [Fact]
    public async Task The_server_stops_when_its_owner_process_is_killed_without_disposing_it()
    {
        // A killed test host never runs Dispose or ProcessExit; the server must not outlive it.
        using var owner = System.Diagnostics.Process.Start("sleep", "120");
        var server = await MariaDbServer.StartAsync(ownerProcessId: owner.Id);
        try
        {
            var pid = server.ProcessId;
            Assert.True(Alive(pid), "mariadbd runs while its owner does");
            // A terminal's Ctrl+C or `timeout` signals the whole process group: the watch must outlive that.
            var watch = Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d))
                .Where(d => d.All(char.IsAsciiDigit)).Select(int.Parse)
                .Single(p => Alive(p) && Cmdline(p).Contains($"while alive {pid};"));
            using (var term = System.Diagnostics.Process.Start("kill", new[] { "-TERM", watch.ToString() })) term.WaitForExit();
            await Task.Delay(500);
            Assert.True(Alive(watch), "the watch died of SIGTERM");
            owner.Kill();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Alive(pid) && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.False(Alive(pid), "mariadbd still runs 30 s after its owner was killed");
            while (Directory.Exists(server.RootFolder) && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.False(Directory.Exists(server.RootFolder), "the data folder of a server whose owner died was not removed");
        }
        finally
        {
            server.Dispose();
        }
    }

    private static string Cmdline(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    private static bool Alive(int pid)
    {
        // A zombie (exited, not yet reaped) counts as gone.
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    [Fact]
    public void A_missing_mariadbd_gets_a_message_that_says_what_to_install()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MariaDbServer.FindServerBinary("/nonexistent/mariadbd"));
        Assert.Contains("apt-get install mariadb-server", ex.Message);
    }
}

using System.Collections;
using System.Management.Automation;
using System.Security;
using DsOps.Engine.Metadata;
using DsOps.Engine.Reports;
using DsOps.Testing;
using DsOps.Testing.History;
using DsOps.Tests.Hosting;
using MySqlConnector;
using Xunit;

namespace DsOps.Tests.Metadata;

/// <summary>
/// Metadata cmdlets in a real hosted runspace against a generated history whose last day is yesterday
/// (the cmdlets use the real clock), read through a password-protected account.
/// </summary>
public sealed class MetadataCmdletFixture : IAsyncLifetime
{
    public const string Password = "Pw-Meta-9f3!xZ";
    public string ConnectionString { get; private set; } = "";
    public string Database { get; private set; } = "";
    public int Port { get; private set; }
    public HistoryFacts Facts { get; private set; } = null!;
    public string User { get; } = "reader_" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var server = await MariaDbFixture.Shared;
        var adminCs = await server.CreateDsDatabaseAsync("3.3-dev");
        Database = new MySqlConnectionStringBuilder(adminCs).Database;
        Port = server.Port;
        Facts = await HistoryGenerator.GenerateAsync(adminCs, "3.3-dev", new HistoryOptions
        {
            Days = 9, Workflows = 60, TasksPerDay = 240, FailureRate = 0.15, Seed = 3,
            LastDay = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1),
        });
        // The user needs only SELECT; the password is passed as a parameter-free literal in DDL (test setup only).
        await MariaDbServer.ExecuteScriptAsync(server.AdminConnectionString,
            $"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}'; GRANT SELECT ON `{Database}`.* TO '{User}'@'127.0.0.1';");
        ConnectionString = new MySqlConnectionStringBuilder(adminCs) { UserID = User, Password = Password }.ConnectionString;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public class MetadataCmdletTests : IClassFixture<MetadataCmdletFixture>
{
    private readonly MetadataCmdletFixture _db;
    public MetadataCmdletTests(MetadataCmdletFixture db) => _db = db;

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (var c in s) secure.AppendChar(c);
        return secure;
    }

    private Hashtable ConnectParameters(string? password = null) => new()
    {
        ["Server"] = "127.0.0.1", ["Port"] = _db.Port, ["Database"] = _db.Database, ["ServerTimeZone"] = "UTC",
        ["Credential"] = new PSCredential(_db.User, Secure(password ?? MetadataCmdletFixture.Password)),
    };

    private HostedResult Connect(HostedEngine e) => e.Run("Connect-DsMetadata", ConnectParameters());

    /// <summary>Runs a command that should stop with a terminating error and returns that ErrorRecord.</summary>
    private static ErrorRecord TerminatingError(HostedEngine e, string command, IDictionary parameters)
    {
        var r = e.Script($"try {{ {command} @p; 'no error' }} catch {{ $_ }}", new Hashtable { ["p"] = parameters });
        return Assert.Single(r.Objects<ErrorRecord>());
    }

    private static string TextOf(ErrorRecord error) =>
        error + " " + error.Exception + " " + error.ErrorDetails?.Message + " " + error.TargetObject + " " + error.InvocationInfo?.Line;

    private static bool HasDefault(HostedEngine e) =>
        (bool)e.Script("$null -ne $global:DsOpsDefaultMetadataConnection").Output[0].BaseObject;

    [Fact]
    public void Connect_detects_version_sets_the_default_and_never_shows_the_password()
    {
        using var e = new HostedEngine();
        var r = Connect(e);
        Assert.Empty(r.Errors);
        var c = Assert.Single(r.Objects<DsMetadataConnection>());
        Assert.Equal(new Version(3, 3, 0), c.Dialect.Version);
        Assert.Equal(_db.User, c.User);
        Assert.DoesNotContain(MetadataCmdletFixture.Password, r.AllText());
        var v = e.Script("$global:DsOpsDefaultMetadataConnection");
        Assert.Same(c, Assert.Single(v.Objects<DsMetadataConnection>()));
        var props = e.Script("$c = $global:DsOpsDefaultMetadataConnection; $c.PSObject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" }");
        Assert.Contains(props.Output, o => o.ToString() == "Database=" + _db.Database);
        Assert.DoesNotContain(MetadataCmdletFixture.Password, props.AllText());

        // Connection string as a plain string: accepted, never echoed.
        var byString = e.Run("Connect-DsMetadata", new { ConnectionString = _db.ConnectionString, Name = "cs", ServerTimeZone = "UTC" });
        Assert.Empty(byString.Errors);
        Assert.Equal("cs", Assert.Single(byString.Objects<DsMetadataConnection>()).Name);
        Assert.DoesNotContain(MetadataCmdletFixture.Password, byString.AllText());
    }

    [Fact]
    public void SslMode_is_DsOps_s_own_type_and_not_giving_it_means_the_server_s_default()
    {
        using var e = new HostedEngine();
        // Loopback: no TLS unless asked for.
        Assert.Equal("None", Assert.Single(Connect(e).Objects<DsMetadataConnection>()).SslMode);

        var parameters = ConnectParameters();
        parameters["SslMode"] = "Preferred"; // as typed at a prompt; TLS if this test server offers it
        var r = e.Run("Connect-DsMetadata", parameters);
        Assert.Empty(r.Errors);
        Assert.Equal("Preferred", Assert.Single(r.Objects<DsMetadataConnection>()).SslMode);

        var type = e.Script("(Get-Command Connect-DsMetadata).Parameters['SslMode'].ParameterType").Objects<Type>().Single();
        Assert.Equal(typeof(DsSslMode), type);
    }

    [Fact]
    public void Wrong_password_gives_a_stable_error_without_the_password()
    {
        using var e = new HostedEngine();
        const string wrong = "Wrong-Pw-77!";
        var error = TerminatingError(e, "Connect-DsMetadata", ConnectParameters(wrong));
        Assert.Equal("DsMetadataAccessDenied,DsOps.Commands.Metadata.ConnectDsMetadataCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.DoesNotContain(wrong, TextOf(error));
        var cs = new MySqlConnectionStringBuilder(_db.ConnectionString) { Password = wrong }.ConnectionString;
        var error2 = TerminatingError(e, "Connect-DsMetadata", new Hashtable { ["ConnectionString"] = cs });
        Assert.Equal("DsMetadataAccessDenied,DsOps.Commands.Metadata.ConnectDsMetadataCommand", error2.FullyQualifiedErrorId);
        Assert.DoesNotContain(wrong, TextOf(error2));
        Assert.False(HasDefault(e));
    }

    [Fact]
    public void Metadata_cmdlets_without_a_connection_fail_clearly()
    {
        using var e = new HostedEngine();
        var error = TerminatingError(e, "Get-DsRunReport", new Hashtable());
        Assert.Equal("DsMetadataNotConnected,DsOps.Commands.Metadata.GetDsRunReportCommand", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void Run_report_as_object_and_rendered_strings()
    {
        using var e = new HostedEngine();
        Connect(e);
        var day = _db.Facts.LastDay;
        var date = day.Date.ToDateTime(TimeOnly.MinValue);
        var r = e.Run("Get-DsRunReport", new { Date = date, TimeZone = "UTC" });
        Assert.Empty(r.Errors);
        var report = Assert.Single(r.Objects<RunReport>());
        Assert.Equal(day.InstanceIds.Count, report.Totals.Instances);
        Assert.Equal(day.FailedTaskInstanceIds.Order(), report.FailedTasks.Select(f => f.TaskInstanceId).Order());

        foreach (var (format, marker) in new[] { ("Markdown", "### "), ("Text", "Runs: "), ("Html", "<svg"), ("Json", "\"Totals\"") })
        {
            var s = e.Run("Get-DsRunReport", new { Date = date, TimeZone = "UTC", As = format });
            Assert.Empty(s.Errors);
            Assert.Contains(marker, Assert.Single(s.Objects<string>()));
        }
    }

    [Fact]
    public void Run_report_rejects_bad_time_zone_and_deadline_naming_the_parameter()
    {
        using var e = new HostedEngine();
        Connect(e);
        var tz = TerminatingError(e, "Get-DsRunReport", new Hashtable { ["TimeZone"] = "Mars/Olympus" });
        Assert.Equal("DsInvalidTimeZone,DsOps.Commands.Metadata.GetDsRunReportCommand", tz.FullyQualifiedErrorId);
        Assert.Contains("-TimeZone", tz.Exception.Message);
        var dl = TerminatingError(e, "Get-DsRunReport", new Hashtable { ["TimeZone"] = "UTC", ["Deadline"] = new Hashtable { ["wf_00001"] = "soon" } });
        Assert.Equal("DsInvalidDeadline,DsOps.Commands.Metadata.GetDsRunReportCommand", dl.FullyQualifiedErrorId);
        Assert.Contains("wf_00001", dl.Exception.Message);
        var unknown = TerminatingError(e, "Get-DsRunReport", new Hashtable { ["TimeZone"] = "UTC", ["Deadline"] = new Hashtable { ["nope"] = "06:00" } });
        Assert.Equal("DsDeadlineUnknownWorkflow,DsOps.Commands.Metadata.GetDsRunReportCommand", unknown.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, unknown.CategoryInfo.Category);
    }

    [Fact]
    public void Deadlines_from_a_file_and_errors_naming_file_and_line()
    {
        using var e = new HostedEngine();
        Connect(e);
        var dir = Directory.CreateTempSubdirectory("dsops-deadlines-").FullName;
        try
        {
            var workflow = _db.Facts.WorkflowNames.Values.First();
            var good = Path.Combine(dir, "good.yaml");
            File.WriteAllText(good, $"deadlines:\n  {workflow}: '23:00'\n");
            var date = _db.Facts.LastDay.Date.ToDateTime(TimeOnly.MinValue);
            var r = e.Run("Get-DsRunReport", new { Date = date, TimeZone = "UTC", DeadlinePath = good });
            Assert.Empty(r.Errors);
            Assert.Equal(workflow, Assert.Single(Assert.Single(r.Objects<RunReport>()).Deadlines).Workflow);

            var bad = Path.Combine(dir, "bad.yaml");
            File.WriteAllText(bad, $"{workflow}: '06:00'\nother: tomorrow\n");
            var error = TerminatingError(e, "Get-DsRunReport", new Hashtable { ["TimeZone"] = "UTC", ["DeadlinePath"] = bad });
            Assert.Equal("DsInvalidDeadline,DsOps.Commands.Metadata.GetDsRunReportCommand", error.FullyQualifiedErrorId);
            Assert.Contains(bad + ":2:", error.Exception.Message);
            var missing = TerminatingError(e, "Get-DsRunReport", new Hashtable { ["TimeZone"] = "UTC", ["DeadlinePath"] = Path.Combine(dir, "none.yaml") });
            Assert.Equal("DsDeadlineFileNotFound,DsOps.Commands.Metadata.GetDsRunReportCommand", missing.FullyQualifiedErrorId);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Inspection_cmdlets_return_typed_rows()
    {
        using var e = new HostedEngine();
        Connect(e);
        var failed = e.Run("Get-DsFailedTask", new { Since = DateTime.UtcNow.AddDays(-3), TimeZone = "UTC" });
        Assert.Empty(failed.Errors);
        Assert.Superset(_db.Facts.LastDay.FailedTaskInstanceIds.ToHashSet(), failed.Objects<DsFailedTask>().Select(f => f.TaskInstanceId).ToHashSet());

        var stuck = e.Run("Get-DsStuckInstance", new { TimeZone = "UTC" });
        Assert.Empty(stuck.Errors);
        Assert.Equal(_db.Facts.StuckInstanceIds.Order(), stuck.Objects<DsStuckInstance>().Where(s => s.Reason == DsStuckReason.NoHost).Select(s => s.InstanceId).Order());

        var longRunning = e.Run("Get-DsLongRunningTask", new { MinimumRuntime = TimeSpan.FromMinutes(1), TimeZone = "UTC" });
        Assert.Empty(longRunning.Errors);
        Assert.NotEmpty(longRunning.Objects<DsLongRunningTask>());

        var queue = e.Run("Get-DsCommandQueue");
        Assert.Empty(queue.Errors);
        Assert.Equal(_db.Facts.CommandsByType.Values.Sum(), queue.Objects<DsCommandBacklog>().Where(q => q.Queue == "Pending").Sum(q => q.Count));
        var errors = e.Run("Get-DsCommandQueue", new { ErrorDetail = true, Since = DateTime.Now.AddDays(-30) });
        Assert.Equal(_db.Facts.ErrorCommandIds.Count, errors.Objects<DsErrorCommand>().Count);

        var integrity = e.Run("Test-DsMetadataIntegrity", new { IncludePassed = true });
        Assert.Empty(integrity.Errors);
        var findings = integrity.Objects<DsIntegrityFinding>();
        Assert.Contains(findings, f => f.Check == "RunningInstanceWithoutHost" && f.Count == _db.Facts.StuckInstanceIds.Count);
        Assert.Equal(new IntegrityChecker(Assert.Single(Connect(e).Objects<DsMetadataConnection>())).CheckIds.Count, findings.Count);
        Assert.Contains(integrity.Progress, p => p.StatusDescription == "RunningInstanceWithoutHost");
        var failing = e.Run("Test-DsMetadataIntegrity");
        Assert.Equal(new[] { "RunningInstanceWithoutHost" }, failing.Objects<DsIntegrityFinding>().Select(f => f.Check));
        Assert.DoesNotContain(MetadataCmdletFixture.Password, failed.AllText() + stuck.AllText() + integrity.AllText() + queue.AllText());
    }

    [Fact]
    public void Disconnect_clears_the_default_and_supports_WhatIf()
    {
        using var e = new HostedEngine();
        Connect(e);
        e.Run("Disconnect-DsMetadata", new { WhatIf = true });
        Assert.True(HasDefault(e));
        var r = e.Run("Disconnect-DsMetadata");
        Assert.Empty(r.Errors);
        Assert.False(HasDefault(e));
    }

    [Fact]
    public void Format_file_loads_and_every_view_names_an_existing_type()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(DsOps.Commands.DsCmdlet).Assembly.Location)!, "DsOps.Metadata.Format.ps1xml");
        _ = new System.Management.Automation.Runspaces.FormatTable(new[] { path });
        var types = System.Xml.Linq.XDocument.Load(path).Descendants("TypeName").Select(t => t.Value).ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.NotNull(typeof(DsMetadataConnection).Assembly.GetType(t)));
    }
}

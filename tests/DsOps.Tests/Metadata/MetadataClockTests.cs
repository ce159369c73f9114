using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Metadata;

public class MetadataClockTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void Business_day_with_a_DST_change_is_23_hours_in_server_time()
    {
        var clock = new MetadataClock(TimeZoneInfo.Utc, NewYork);
        var (from, to) = clock.DayWindow(new DateOnly(2026, 3, 8)); // clocks go forward at 02:00
        Assert.Equal(new DateTime(2026, 3, 8, 5, 0, 0), from);
        Assert.Equal(new DateTime(2026, 3, 9, 4, 0, 0), to);
        Assert.Equal(TimeSpan.FromHours(23), to - from);
    }

    [Fact]
    public void Stored_server_time_is_shown_in_the_business_zone()
    {
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var clock = new MetadataClock(shanghai, TimeZoneInfo.Utc);
        var shown = clock.ToBusiness(new DateTime(2026, 3, 10, 8, 30, 0));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 0, 30, 0, TimeSpan.Zero), shown);
        Assert.Equal(new DateTime(2026, 3, 10, 8, 30, 0), clock.ToServer(shown));
    }

    [Fact]
    public void Remote_servers_default_to_verified_TLS_and_explicit_modes_are_kept()
    {
        Assert.Equal(MySqlConnector.MySqlSslMode.VerifyFull, DsMetadataConnection.EffectiveSslMode("db01.example", null));
        Assert.Equal(MySqlConnector.MySqlSslMode.None, DsMetadataConnection.EffectiveSslMode("127.0.0.1", null));
        Assert.Equal(MySqlConnector.MySqlSslMode.Required, DsMetadataConnection.EffectiveSslMode("db01.example", DsSslMode.Required));
    }

    [Fact]
    public async Task Ssl_mode_in_a_connection_string_is_honoured()
    {
        var cs = await (await MariaDbFixture.Shared).CreateDsDatabaseAsync("3.0.1");
        try
        {
            var c = await DsMetadataConnection.ConnectAsync(cs + ";SslMode=Required");
            Assert.Equal("Required", c.SslMode);      // the test server offers TLS
        }
        catch (Engine.DsOpsException ex)
        {
            Assert.Contains("SSL", ex.Message, StringComparison.OrdinalIgnoreCase); // or it refuses, proving Required was used
        }
        var plain = await DsMetadataConnection.ConnectAsync(cs);
        Assert.Equal("None", plain.SslMode);
    }

    [Theory]
    [InlineData(3, 0, 6, "SCHEDULER")]
    [InlineData(3, 0, 10, "RECOVER_WAITING_THREAD")]
    [InlineData(3, 3, 10, "UNKNOWN_10")]
    [InlineData(3, 0, 12, "UNKNOWN_12")]
    [InlineData(3, 2, 12, "EXECUTE_TASK")]
    public void Command_type_names_follow_the_version(int major, int minor, int code, string name) =>
        Assert.Equal(name, DsDialect.Parse($"{major}.{minor}").CommandTypeName(code));

    [Fact]
    public void Dialects_name_the_renamed_tables_and_columns()
    {
        Assert.Equal("process_instance_id", DsDialect.V3_2.WorkflowInstanceIdColumn);
        Assert.Equal("workflow_instance_id", DsDialect.V3_3.WorkflowInstanceIdColumn);
        Assert.Equal("tenant_id", DsDialect.V3_0.InstanceTenantColumn);
        Assert.Equal("tenant_code", DsDialect.V3_2.InstanceTenantColumn);
        Assert.False(DsDialect.V3_0.InstancesHaveProjectCode);
        Assert.True(DsDialect.V3_2.HasTestFlag);
        Assert.False(DsDialect.Parse("3.4.3").HasTestFlag);
        Assert.Null(DsDialect.V3_0.TaskInstanceWorkflowNameColumn);
    }
}

public class MetadataClockWallClockTests
{
    [Fact]
    public void Deadline_wall_clock_stays_local_across_DST()
    {
        var ny = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var clock = new MetadataClock(TimeZoneInfo.Utc, ny);
        var six = clock.WallClock(new DateOnly(2026, 3, 8), TimeSpan.FromHours(6));
        Assert.Equal(6, six.Hour);
        Assert.Equal(TimeSpan.FromHours(-4), six.Offset);
        var nextDay = clock.WallClock(new DateOnly(2026, 3, 8), TimeSpan.Parse("1.02:00"));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 2, 0, 0, TimeSpan.FromHours(-4)), nextDay);
    }
}

using DsOps.Engine.Metadata;
using DsOps.Testing;
using DsOps.Testing.History;
using Xunit;

namespace DsOps.Tests.Metadata;

/// <summary>
/// One generated history per tested dialect (3.0.1, 3.2.2, 3.3-dev), shared by the report and inspection
/// tests (one collection): 10 days, 200 workflows, 1,000 task instances a day, 10 % failures.
/// </summary>
public sealed class GeneratedHistoryFixture : IAsyncLifetime
{
    public static readonly DateOnly LastDay = new(2026, 3, 10);

    /// <summary>"Now" for tests: 08:00 UTC the morning after the last day.</summary>
    public static readonly DateTimeOffset AsOf = new(2026, 3, 11, 8, 0, 0, TimeSpan.Zero);

    public static readonly HistoryOptions Options = new()
    {
        Days = 10, Workflows = 200, Projects = 4, TasksPerDay = 1000, FailureRate = 0.1, Seed = 7, LastDay = LastDay,
        StuckInstances = 2, StillRunning = 3, NotStarted = 4, Commands = 30, ErrorCommands = 3,
    };

    public Dictionary<string, (DsMetadataConnection Connection, HistoryFacts Facts)> Schemas { get; } = new();

    public async Task InitializeAsync()
    {
        var server = await MariaDbFixture.Shared;
        var work = MariaDbFixture.DialectSchemas.Select(async schema =>
        {
            var cs = await server.CreateDsDatabaseAsync(schema);
            var facts = await HistoryGenerator.GenerateAsync(cs, schema, Options);
            var connection = await DsMetadataConnection.ConnectAsync(cs, schema, TimeZoneInfo.Utc);
            return (schema, connection, facts);
        }).ToList();
        foreach (var (schema, connection, facts) in await Task.WhenAll(work))
            Schemas[schema] = (connection, facts);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The report, rendering and inspection tests share one generated history (generated once per run).</summary>
[CollectionDefinition(Name)]
public sealed class GeneratedHistoryCollection : ICollectionFixture<GeneratedHistoryFixture>
{
    public const string Name = "Generated DS history";
}

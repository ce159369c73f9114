using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;
using DsOps.Engine.Dialects;

namespace DsOps.Emulator.Hosting;

/// <summary>What every handler needs: the dialect, its status table, the metadata DB, the clock and the master.</summary>
public sealed class EmulatorContext
{
    public required DsDialect Dialect { get; init; }
    public required StatusCatalog Status { get; init; }
    public required EndpointCatalog Endpoints { get; init; }
    public required MetadataDb Db { get; init; }
    public required SimClock Clock { get; init; }
    public required CodeGenerator Codes { get; init; }
    public SimulatedMaster Master { get; set; } = null!;

    /// <summary>The DS services the monitor lists and whose actuators answer, with their fault switches.</summary>
    public Cluster.EmulatedCluster Cluster { get; init; } = DsOps.Emulator.Cluster.EmulatedCluster.SingleHost();

    /// <summary>Address the simulated master and worker register under (monitor endpoints, instance host).</summary>
    public string MasterAddress { get; init; } = "127.0.0.1:5678";
    public string WorkerAddress { get; init; } = "127.0.0.1:1234";

    public DateTime Now => Clock.Now;

    public bool V32Plus => Dialect.Version >= new Version(3, 2, 0);
    public bool V33 => Dialect.UsesWorkflowNaming;
}

using DsOps.Emulator.Hosting;

namespace DsOps.Emulator;

/// <summary>How to start an emulator.</summary>
public sealed class EmulatorOptions
{
    /// <summary>DS dialect: "3.0", "3.1", "3.2", "3.3", "3.4" (= 3.4.3) or a release such as 3.4.0 (or a schema label 3.0.1, 3.2.2, 3.3-dev).</summary>
    public string Dialect { get; set; } = "3.2";

    /// <summary>A database with DS's schema for the dialect already loaded, or an empty database
    /// (the schema is then loaded), or null: a fresh database is created on the shared test MariaDB.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Run the simulated master on its own (standalone sandbox). Tests leave it off and drive
    /// the clock with AdvanceAsync / RunUntilIdleAsync so results are deterministic.</summary>
    public bool AutoRun { get; set; }

    /// <summary>Simulated seconds per real second when AutoRun is on.</summary>
    public double Acceleration { get; set; } = 60;

    /// <summary>Where the simulated clock starts; default: now (UTC), whole seconds.</summary>
    public DateTime? ClockStart { get; set; }

    /// <summary>Faults active from the first request.</summary>
    public Action<FaultSettings>? Faults { get; set; }

    /// <summary>The emulated services (monitor entries, actuators, fault switches); default: one host with master, worker, alert and API.</summary>
    public Cluster.EmulatedCluster? Cluster { get; set; }

    /// <summary>Override of the vendored DS test data folder (default: RepoPaths.DsData).</summary>
    public string? DsDataPath { get; set; }
}

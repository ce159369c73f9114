namespace DsOps.Engine.Dialects;

/// <summary>
/// Sizes DS stores or accepts, so specs that would fail at the server fail offline first, before any request.
/// Sources: the MySQL DDL of each version (tests/third_party/dolphinscheduler/schema), DS's API validators and the
/// API server's Jetty form limit (config/*/api-application.yaml). Details: docs/workflows-as-config.md, "Trust and safety".
/// </summary>
internal sealed record DsLimits
{
    /// <summary>t_ds_project.name varchar: 100 up to 3.1, 255 from 3.2 (characters).</summary>
    public required int ProjectName { get; init; }
    /// <summary>t_ds_process_definition / t_ds_workflow_definition.name varchar(255) in every version.</summary>
    public int WorkflowName { get; init; } = 255;
    /// <summary>t_ds_task_definition.name varchar: 200 up to 3.1, 255 from 3.2.</summary>
    public required int TaskName { get; init; }
    /// <summary>
    /// Workflow description, in code points: DS's API refuses longer ones (checkDescriptionLength, DS error 1400004; added
    /// in 2022 by DS PR 11371 - whether every 3.0.x release has it is unverified; the column itself is TEXT).
    /// </summary>
    public int WorkflowDescription { get; init; } = 255;
    /// <summary>MySQL TEXT columns (bytes): task description, global_params, locations.</summary>
    public int TextColumnBytes { get; init; } = 65_535;
    /// <summary>The API server's server.jetty.max-http-form-post-size (bytes of the url-encoded form) in 3.0-3.3 configs.</summary>
    public int FormPostBytes { get; init; } = 5_000_000;
}

public sealed partial class DsDialect
{
    /// <summary>This version's limits.</summary>
    internal DsLimits Limits => AtLeast(2) ? Latest : Before32;

    /// <summary>Limits that hold for every supported version (the offline check: a spec over these fails everywhere).</summary>
    internal static DsLimits AnyVersionLimits => Latest;

    private static readonly DsLimits Before32 = new() { ProjectName = 100, TaskName = 200 };
    private static readonly DsLimits Latest = new() { ProjectName = 255, TaskName = 255 };

    /// <summary>
    /// DS's MySQL schema declares every table <c>utf8</c> (MySQL's 3-byte utf8mb3) in 3.0.1 through 3.4.3, so characters
    /// outside the Basic Multilingual Plane (emoji, some CJK extensions) cannot be stored on a MySQL-backed DS.
    /// </summary>
    public static bool MySqlStoresOnlyThreeByteUtf8 => true;
}

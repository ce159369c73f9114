namespace DsOps.Engine.Metadata;

/// <summary>Names of projects and workflows by code, and online schedules: the small tables reports join in memory.</summary>
internal sealed class MetadataCatalog
{
    public Dictionary<long, string> Projects { get; } = new();
    public Dictionary<long, WorkflowInfo> Workflows { get; } = new();
    /// <summary>Online schedules of online workflows.</summary>
    public List<ScheduleInfo> Schedules { get; } = new();

    public string ProjectName(long projectCode) => Projects.TryGetValue(projectCode, out var n) ? n : projectCode.ToString();
    public string WorkflowName(long code) => Workflows.TryGetValue(code, out var w) ? w.Name : code.ToString();
    public string ProjectOfWorkflow(long code) => Workflows.TryGetValue(code, out var w) ? ProjectName(w.ProjectCode) : "?";

    /// <summary>
    /// Reads definitions, projects and schedules. Definitions have no index on code alone (PK is (id, code)
    /// until 3.3.1), so one full read of the small definition table is cheaper than joining instances to it.
    /// </summary>
    public static async Task<MetadataCatalog> LoadAsync(DsMetadataSession session, bool withSchedules, CancellationToken cancellationToken)
    {
        var d = session.Owner.Dialect;
        var catalog = new MetadataCatalog();
        foreach (var (code, name) in await session.QueryAsync($"SELECT code, name FROM {d.ProjectTable}", null,
                     r => (r.GetInt64(0), r.IsDBNull(1) ? "" : r.GetString(1)), cancellationToken).ConfigureAwait(false))
            catalog.Projects[code] = name;
        foreach (var w in await session.QueryAsync($"SELECT code, name, project_code, release_state FROM {d.WorkflowDefinitionTable}", null,
                     r => new WorkflowInfo(r.GetInt64(0), r.IsDBNull(1) ? "" : r.GetString(1), r.GetInt64(2), !r.IsDBNull(3) && r.GetInt32(3) == 1),
                     cancellationToken).ConfigureAwait(false))
            catalog.Workflows[w.Code] = w; // duplicate codes (docs/ds-facts.md §7) keep the last row; integrity checks report them
        if (withSchedules)
            catalog.Schedules.AddRange(await session.QueryAsync(
                $"SELECT {d.WorkflowCodeColumn}, crontab, start_time, end_time, create_time FROM {d.ScheduleTable} WHERE release_state = 1", null,
                r => new ScheduleInfo(r.GetInt64(0), r.GetString(1), r.GetDateTime(2), r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetDateTime(4)),
                cancellationToken).ConfigureAwait(false));
        return catalog;
    }
}

internal sealed record WorkflowInfo(long Code, string Name, long ProjectCode, bool Online);

/// <summary>An online schedule: Quartz cron text, its validity window and when it was created (server-local).</summary>
internal sealed record ScheduleInfo(long WorkflowCode, string Crontab, DateTime StartTime, DateTime EndTime, DateTime? CreateTime = null)
{
    /// <summary>The first moment the schedule could fire: its start time, or its creation when that is later.</summary>
    public DateTime EffectiveStart => CreateTime is { } c && c > StartTime ? c : StartTime;
}

namespace DsOps.Engine.Dialects;

// Task-log routes per version (docs/operations.md, "Task logs"; docs/ds-facts.md §3.7 and §9).
public sealed partial class DsDialect
{
    /// <summary>
    /// The project-scoped log routes (GET log/{projectCode}/detail and …/download-log) exist from 3.0 through 3.4.1 and
    /// were removed in 3.4.2; GET log/detail without a project exists in every supported version.
    /// </summary>
    public bool HasProjectScopedLogRoutes => !AtLeast(4, 2);

    /// <summary>
    /// Route of one page of a task log: the project-scoped one where the version has it and the project is known
    /// (DS checks the project permission on it), else log/detail.
    /// </summary>
    public string TaskLogDetailPath(long? projectCode) =>
        projectCode is { } p && p > 0 && HasProjectScopedLogRoutes ? $"log/{p}/detail" : "log/detail";

    /// <summary>
    /// Lines DsOps asks for per log page. DS 3.3+ clamps the limit to its own maximum (api.max-log-query-limit, default
    /// unverified), so the reader never assumes a full page means more lines: it stops on an empty page.
    /// </summary>
    public int TaskLogPageLines => 1000;
}

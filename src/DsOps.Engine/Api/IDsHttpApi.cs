using Refit;

namespace DsOps.Engine.Api;

/// <summary>
/// DS REST routes as a Refit interface (paths relative to <c>…/dolphinscheduler/</c>). Route segments and
/// parameter names that changed between versions are arguments supplied by <see cref="Dialects.DsDialect"/>.
/// Every method returns the raw response; <see cref="DsResponseReader"/> is the one place that interprets it.
/// </summary>
internal interface IDsHttpApi
{
    // ---- session and version ----
    [Post("/login")]
    Task<HttpResponseMessage> Login([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    /// <summary>Any parameterless GET route (version probes, monitor routes given by the dialect).</summary>
    [Get("/{**path}")]
    Task<HttpResponseMessage> GetPath(string path, CancellationToken ct);

    // ---- projects (§3.1) ----
    [Get("/projects")]
    Task<HttpResponseMessage> ListProjects(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/projects/{code}")]
    Task<HttpResponseMessage> GetProject(long code, CancellationToken ct);

    [Post("/projects")]
    Task<HttpResponseMessage> CreateProject([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    // ---- workflow definitions (§3.2); segment = process-definition | workflow-definition ----
    [Get("/projects/{projectCode}/{segment}")]
    Task<HttpResponseMessage> ListWorkflows(long projectCode, string segment, int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/projects/{projectCode}/{segment}/all")]
    Task<HttpResponseMessage> GetAllWorkflowDags(long projectCode, string segment, CancellationToken ct);

    [Get("/projects/{projectCode}/{segment}/{code}")]
    Task<HttpResponseMessage> GetWorkflowDag(long projectCode, string segment, long code, CancellationToken ct);

    [Post("/projects/{projectCode}/{segment}")]
    Task<HttpResponseMessage> CreateWorkflow(long projectCode, string segment, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Put("/projects/{projectCode}/{segment}/{code}")]
    Task<HttpResponseMessage> UpdateWorkflow(long projectCode, string segment, long code, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Post("/projects/{projectCode}/{segment}/{code}/release")]
    Task<HttpResponseMessage> ReleaseWorkflow(long projectCode, string segment, long code, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Delete("/projects/{projectCode}/{segment}/{code}")]
    Task<HttpResponseMessage> DeleteWorkflow(long projectCode, string segment, long code, CancellationToken ct);

    [Delete("/projects/{projectCode}/task-definition/{code}")]
    Task<HttpResponseMessage> DeleteTaskDefinition(long projectCode, long code, CancellationToken ct);

    [Get("/projects/{projectCode}/task-definition/gen-task-codes")]
    Task<HttpResponseMessage> GenTaskCodes(long projectCode, int genNum, CancellationToken ct);

    // ---- schedules (§3.4) ----
    [Get("/projects/{projectCode}/schedules")]
    Task<HttpResponseMessage> ListSchedules(long projectCode, [Query, QueryConverter(typeof(DsQueryConverter))] IDictionary<string, string> query, CancellationToken ct);

    /// <summary>All schedules of a project. DS maps this read to POST; the property marks it as a read for statistics.</summary>
    [Post("/projects/{projectCode}/schedules/list")]
    Task<HttpResponseMessage> ListProjectSchedules(long projectCode, [Property(DsHttpPipeline.ReadOnlyRequest)] bool readOnly, CancellationToken ct);

    [Post("/projects/{projectCode}/schedules")]
    Task<HttpResponseMessage> CreateSchedule(long projectCode, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Put("/projects/{projectCode}/schedules/{id}")]
    Task<HttpResponseMessage> UpdateSchedule(long projectCode, int id, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Post("/projects/{projectCode}/schedules/{id}/{action}")]
    Task<HttpResponseMessage> SetScheduleState(long projectCode, int id, string action, CancellationToken ct);

    [Delete("/projects/{projectCode}/schedules/{id}")]
    Task<HttpResponseMessage> DeleteSchedule(long projectCode, int id, CancellationToken ct);

    // ---- executors (§3.5); action = start-process-instance | start-workflow-instance | execute ... ----
    [Post("/projects/{projectCode}/executors/{action}")]
    Task<HttpResponseMessage> Execute(long projectCode, string action, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    // ---- instances (§3.6, §3.7); segment = process-instances | workflow-instances ----
    [Get("/projects/{projectCode}/{segment}")]
    Task<HttpResponseMessage> ListWorkflowInstances(long projectCode, string segment, [Query, QueryConverter(typeof(DsQueryConverter))] IDictionary<string, string> query, CancellationToken ct);

    [Get("/projects/{projectCode}/{segment}/{id}")]
    Task<HttpResponseMessage> GetWorkflowInstance(long projectCode, string segment, int id, CancellationToken ct);

    /// <summary>The instances a 3.2 start call created (path = the dialect's TriggeredInstancesPath).</summary>
    [Get("/projects/{projectCode}/{segment}/{path}")]
    Task<HttpResponseMessage> ListTriggeredInstances(long projectCode, string segment, string path, long triggerCode, CancellationToken ct);

    /// <summary>Task-instance actions: action = force-success | stop (3.1+).</summary>
    [Post("/projects/{projectCode}/task-instances/{id}/{action}")]
    Task<HttpResponseMessage> TaskInstanceAction(long projectCode, int id, string action, CancellationToken ct);

    [Get("/projects/{projectCode}/task-instances")]
    Task<HttpResponseMessage> ListTaskInstances(long projectCode, [Query, QueryConverter(typeof(DsQueryConverter))] IDictionary<string, string> query, CancellationToken ct);

    // ---- task logs (§3.7); the route (with or without the project) comes from the dialect ----
    [Get("/{**path}")]
    Task<HttpResponseMessage> QueryTaskLog(string path, int taskInstanceId, int skipLineNum, int limit, CancellationToken ct);

    // ---- cluster resources (§3.9) ----
    [Get("/datasources")]
    Task<HttpResponseMessage> ListDataSources(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/worker-groups")]
    Task<HttpResponseMessage> ListWorkerGroups(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/environment/list-paging")]
    Task<HttpResponseMessage> ListEnvironments(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/tenants")]
    Task<HttpResponseMessage> ListTenants(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    [Get("/alert-groups")]
    Task<HttpResponseMessage> ListAlertGroups(int pageNo, int pageSize, string? searchVal, CancellationToken ct);

    // ---- cluster resources as config (docs/clusters-as-config.md): routes given as paths, bodies as forms or content ----
    [Get("/{**path}")]
    Task<HttpResponseMessage> GetWithQuery(string path, [Query, QueryConverter(typeof(DsQueryConverter))] IDictionary<string, string> query, CancellationToken ct);

    [Post("/{**path}")]
    Task<HttpResponseMessage> PostForm(string path, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Put("/{**path}")]
    Task<HttpResponseMessage> PutForm(string path, [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken ct);

    [Post("/{**path}")]
    Task<HttpResponseMessage> PostContent(string path, [Body] HttpContent content, CancellationToken ct);

    [Put("/{**path}")]
    Task<HttpResponseMessage> PutContent(string path, [Body] HttpContent content, CancellationToken ct);

    [Delete("/{**path}")]
    Task<HttpResponseMessage> DeleteWithQuery(string path, [Query, QueryConverter(typeof(DsQueryConverter))] IDictionary<string, string> query, CancellationToken ct);

    [Get("/projects/analysis/command-state-count")]
    Task<HttpResponseMessage> CommandStateCount(CancellationToken ct);
}

/// <summary>Writes dialect-built query parameters (names vary by DS version) without reflection.</summary>
internal sealed class DsQueryConverter : IQueryConverter<IDictionary<string, string>>
{
    public void Flatten(IDictionary<string, string> value, string keyPrefix, ref GeneratedQueryStringBuilder builder, RefitSettings settings)
    {
        foreach (var pair in value) builder.Add(keyPrefix + pair.Key, pair.Value, false);
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DsOps.Engine.Api.Dto;
using DsOps.Engine.Dialects;
using DsOps.Engine.Models;
using Refit;

namespace DsOps.Engine.Api;

/// <summary>
/// The DS REST client. Every call goes through one Refit interface over one HttpClient pipeline
/// (<see cref="DsHttpPipeline"/>), one response reader and one paging helper; route and parameter
/// differences between versions come from <see cref="Dialect"/>.
/// </summary>
internal sealed partial class DsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly IDsHttpApi _api;

    public DsClient(Uri baseUri, DsDialect dialect, DsHttpOptions options, DsAuthentication? authentication,
        HttpMessageHandler? innerHandler = null, TimeZoneInfo? serverTimeZone = null)
    {
        Statistics = new DsRequestStatistics();
        _http = DsHttpPipeline.Create(baseUri, options, authentication, Statistics, innerHandler);
        _api = RestService.ForGenerated<IDsHttpApi>(_http, new RefitSettings());
        Dialect = dialect;
        ServerTimeZone = serverTimeZone ?? TimeZoneInfo.Utc;
    }

    public Uri BaseUri => _http.BaseAddress!;

    /// <summary>The route profile in use; set by version detection at connect time.</summary>
    public DsDialect Dialect { get; internal set; }

    /// <summary>Time zone DS's API writes dates in (Jackson time-zone; UTC in the shipped config).</summary>
    public TimeZoneInfo ServerTimeZone { get; }

    public DsRequestStatistics Statistics { get; }

    /// <summary>Attached by DsConnection so output objects can carry their connection.</summary>
    internal DsConnection? Owner { get; set; }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Sends one call and reads its envelope's data as <typeparamref name="T"/>.</summary>
    internal Task<T> CallAsync<T>(string endpoint, Func<IDsHttpApi, CancellationToken, Task<HttpResponseMessage>> call, CancellationToken ct) =>
        ExchangeAsync(endpoint, call, (response, t) => DsResponseReader.ReadAsync<T>(response, endpoint, Dialect, t), ct);

    /// <summary>Sends one call and returns a copy of its data element (for callers that read DS JSON shapes directly).</summary>
    internal Task<JsonElement> CallForJsonAsync(string endpoint, Func<IDsHttpApi, CancellationToken, Task<HttpResponseMessage>> call, CancellationToken ct) =>
        ExchangeAsync(endpoint, call, async (response, t) =>
        {
            using var envelope = await DsResponseReader.ReadEnvelopeAsync(response, endpoint, Dialect, t).ConfigureAwait(false);
            return envelope.Data.ValueKind == JsonValueKind.Undefined ? default : envelope.Data.Clone();
        }, ct);

    /// <summary>
    /// The one place a call is sent and its answer read: failures of either phase (network, the attempt's deadline, the
    /// response size cap) become <see cref="DsApiException"/>s with stable ids.
    /// </summary>
    private async Task<T> ExchangeAsync<T>(string endpoint, Func<IDsHttpApi, CancellationToken, Task<HttpResponseMessage>> call,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        try
        {
            var response = await call(_api, ct).ConfigureAwait(false);
            return await read(response, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not DsOpsException && Classify(ex, endpoint, ct) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>What a transport or reading failure means for the caller; null to let it through unchanged.</summary>
    private Exception? Classify(Exception ex, string endpoint, CancellationToken ct)
    {
        // Refit wraps transport failures in ApiRequestException, HttpContent wraps stream errors: look underneath.
        if (Http.BoundedResponseHandler.Find<Http.ResponseTooLargeException>(ex) is { } large)
            return new DsApiException(DsErrorKind.InvalidResponse, "DsResponseTooLarge",
                $"{endpoint}: {large.Message} Nothing more was read. If the answer is genuine (a very large project), " +
                "raise the cap with Connect-DsServer -MaxResponseSizeMB.", endpoint, inner: large);
        if (Http.BoundedResponseHandler.Find<Http.ResponseTimeoutException>(ex) is { } slow)
            return new DsApiException(DsErrorKind.Timeout, "DsTimeout",
                slow.HeadersReceived
                    ? $"{endpoint}: the answer did not arrive in full within the connection's timeout ({slow.Timeout.TotalSeconds:0.###} s); the server sends too slowly."
                    : $"{endpoint} did not answer within the connection's timeout ({slow.Timeout.TotalSeconds:0.###} s).", endpoint, inner: slow);
        var cause = ex is ApiRequestException { InnerException: { } inner } ? inner : ex;
        return cause switch
        {
            OperationCanceledException when ct.IsCancellationRequested => null,
            HttpRequestException or IOException => new DsApiException(DsErrorKind.Unavailable, "DsServerUnavailable",
                $"{endpoint} could not be reached at {BaseUri.GetLeftPart(UriPartial.Authority)}: {cause.Message}", endpoint, inner: cause),
            OperationCanceledException => new DsApiException(DsErrorKind.Timeout, "DsTimeout", $"{endpoint} did not answer in time.", endpoint, inner: cause),
            _ => cause == ex ? null : cause,
        };
    }

    private IAsyncEnumerable<T> PagedAsync<T>(string endpoint, Func<IDsHttpApi, int, int, CancellationToken, Task<HttpResponseMessage>> call, CancellationToken ct) =>
        DsPaging.AllAsync<T>((pageNo, pageSize, token) =>
            CallAsync<PageDto<T>?>(endpoint, (api, t) => call(api, pageNo, pageSize, t), token), DsPaging.DefaultPageSize, ct);

    /// <summary>DS dates are written in the server's API time zone; DsOps shows local time.</summary>
    internal DateTime? ToLocal(DateTime? serverTime)
    {
        if (serverTime is not { } t || t == default) return null;
        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(t, DateTimeKind.Unspecified), ServerTimeZone);
        return utc.ToLocalTime();
    }

    internal string ToServerText(DateTime localOrUtc)
    {
        var utc = localOrUtc.Kind == DateTimeKind.Utc ? localOrUtc : localOrUtc.ToUniversalTime();
        return DsJson.FormatDate(TimeZoneInfo.ConvertTimeFromUtc(utc, ServerTimeZone));
    }

    private static string Inv(long value) => value.ToString(CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- session and version

    internal Task<LoginDto> LoginAsync(string userName, string password, CancellationToken ct)
    {
        SecretRegistry.Register(password);
        return CallAsync<LoginDto>("POST login", (api, t) => api.Login(new Dictionary<string, string>
        {
            ["userName"] = userName,
            ["userPassword"] = password,
        }, t), ct);
    }

    /// <summary>GET on a parameterless route; used by version probes.</summary>
    internal Task<JsonElement> GetPathAsync(string path, CancellationToken ct) =>
        CallForJsonAsync("GET " + path, (api, t) => api.GetPath(path, t), ct);

    // ---------------------------------------------------------------- projects

    public async IAsyncEnumerable<DsProject> GetProjectsAsync(string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var p in PagedAsync<ProjectDto>("GET projects", (api, n, s, t) => api.ListProjects(n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return Map(p);
    }

    public async Task<DsProject> GetProjectAsync(long projectCode, CancellationToken ct = default)
    {
        var endpoint = $"GET projects/{projectCode}";
        var project = await CallAsync<ProjectDto?>(endpoint, (api, t) => api.GetProject(projectCode, t), ct).ConfigureAwait(false);
        return project is null
            ? throw new DsApiException(DsErrorKind.NotFound, "DsProjectNotFound", $"Project {projectCode} does not exist ({endpoint} returned no data).", endpoint)
            : Map(project);
    }

    public async Task<DsProject> CreateProjectAsync(string name, string? description, CancellationToken ct = default) =>
        Map(await CallAsync<ProjectDto>("POST projects", (api, t) => api.CreateProject(new Dictionary<string, string>
        {
            ["projectName"] = name,
            ["description"] = description ?? "",
        }, t), ct).ConfigureAwait(false));

    private DsProject Map(ProjectDto p) => new()
    {
        Name = p.Name ?? "",
        ProjectCode = p.Code,
        Description = p.Description,
        Owner = p.UserName,
        WorkflowCount = p.DefCount,
        RunningInstanceCount = p.InstRunningCount,
        CreateTime = ToLocal(p.CreateTime),
        UpdateTime = ToLocal(p.UpdateTime),
        Connection = Owner,
    };

    // ---------------------------------------------------------------- workflow definitions

    public async IAsyncEnumerable<DsWorkflow> GetWorkflowsAsync(long projectCode, string? searchVal = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        await foreach (var w in PagedAsync<WorkflowDefinitionDto>($"GET projects/{projectCode}/{segment}",
                           (api, n, s, t) => api.ListWorkflows(projectCode, segment, n, s, searchVal, t), ct).ConfigureAwait(false))
            yield return Map(w, projectCode, null, null);
    }

    /// <summary>The DagData of one workflow as DS returns it (definition, relations, task definitions).</summary>
    public Task<JsonElement> GetWorkflowDagJsonAsync(long projectCode, long workflowCode, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        return CallForJsonAsync($"GET projects/{projectCode}/{segment}/{workflowCode}", (api, t) => api.GetWorkflowDag(projectCode, segment, workflowCode, t), ct);
    }

    /// <summary>Every workflow of a project with its DAG in one request (GET …/all; a list of DagData; a null item is refused).</summary>
    public async Task<JsonElement> GetAllWorkflowDagsJsonAsync(long projectCode, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        var endpoint = $"GET projects/{projectCode}/{segment}/all";
        var all = await CallForJsonAsync(endpoint, (api, t) => api.GetAllWorkflowDags(projectCode, segment, t), ct).ConfigureAwait(false);
        var i = 0;
        if (all.ValueKind == JsonValueKind.Array)
            foreach (var dag in all.EnumerateArray()) RequireDagShape(dag, endpoint, i++);
        return all;
    }

    /// <summary>
    /// A DagData element must be an object holding its definition, and its task and relation lists must hold objects:
    /// anything else (a null item of a list) is refused as DsInvalidResponse before any of it is used.
    /// </summary>
    internal void RequireDagShape(JsonElement dag, string endpoint, int index)
    {
        if (dag.ValueKind != JsonValueKind.Object) throw DsResponseReader.NullListItem(endpoint, "workflows", index);
        if (!Dialect.TryGetDagDefinition(dag, out var def) || def.ValueKind != JsonValueKind.Object)
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse",
                $"{endpoint} answered a workflow (item {index + 1}) without its definition ('{Dialect.DagDefinitionKey}'); DsOps cannot read it.", endpoint);
        if (dag.TryGetProperty("taskDefinitionList", out var tasks)) DsResponseReader.RequireObjectItems(tasks, endpoint, "task definitions");
        if (dag.TryGetProperty(Dialect.DagRelationListKey, out var relations)) DsResponseReader.RequireObjectItems(relations, endpoint, "task relations");
    }

    /// <summary>
    /// Every workflow of a project with its DAG (GET …/all), handed to <paramref name="onDag"/> one at a time while the
    /// answer streams in; the element is valid only during the call. Memory holds one DAG, not the project.
    /// </summary>
    public async Task ForEachWorkflowDagAsync(long projectCode, Action<JsonElement> onDag, CancellationToken ct = default)
    {
        using var stream = await OpenWorkflowDagsAsync(projectCode, ct).ConfigureAwait(false);
        await stream.ReadAsync(onDag, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends GET …/all and waits for the answer to begin, without reading it: the server builds the whole answer before
    /// it sends the first byte, so a caller can do its own work meanwhile and read the DAGs later
    /// (<see cref="WorkflowDagStream.ReadAsync"/>). The connection's deadline keeps running from the send.
    /// </summary>
    internal Task<WorkflowDagStream> OpenWorkflowDagsAsync(long projectCode, CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowDefinitionSegment;
        var endpoint = $"GET projects/{projectCode}/{segment}/all";
        return ExchangeAsync(endpoint, (api, t) => api.GetAllWorkflowDags(projectCode, segment, t),
            (response, _) => Task.FromResult(new WorkflowDagStream(this, endpoint, response)), ct);
    }

    /// <summary>An answer of GET …/all whose DAGs have not been read yet; disposing it without reading drops the connection.</summary>
    internal sealed class WorkflowDagStream(DsClient client, string endpoint, HttpResponseMessage response) : IDisposable
    {
        /// <summary>Hands every DAG to <paramref name="onDag"/> as it streams in; the element is valid only during the call.</summary>
        public Task ReadAsync(Action<JsonElement> onDag, CancellationToken ct) =>
            client.ExchangeAsync(endpoint, (_, _) => Task.FromResult(response), async (r, t) =>
            {
                var index = 0;
                await DsJsonArrayStreamer.StreamDataArrayAsync(r, endpoint, client.Dialect, dag =>
                {
                    client.RequireDagShape(dag, endpoint, index++);
                    onDag(dag);
                }, t).ConfigureAwait(false);
                return true;
            }, ct);

        public void Dispose() => response.Dispose();
    }

    /// <summary>
    /// Every workflow of a project with its tasks and relations, one at a time as the answer streams in (GET …/all):
    /// the caller sees the first workflow before the last is read, and memory holds a few, not the project.
    /// A failure of the request is thrown as it is (its own id), after the workflows read before it.
    /// </summary>
    public async IAsyncEnumerable<DsWorkflow> GetWorkflowsWithTasksAsync(long projectCode, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<DsWorkflow>(
            new System.Threading.Channels.BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var producer = Task.Run(async () =>
        {
            try
            {
                await ForEachWorkflowDagAsync(projectCode,
                    dag => channel.Writer.WriteAsync(MapDag(dag, projectCode), stop.Token).AsTask().GetAwaiter().GetResult(), stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested || ct.IsCancellationRequested)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
            catch (Exception)
            {
                // the reader stopped early: whatever the cancelled read throws is not a failure
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var workflow in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                yield return workflow;
        }
        finally
        {
            stop.Cancel();
            await producer.ConfigureAwait(false);
        }
        failure?.Throw();
    }

    /// <summary>Reads a DagData element into a workflow with its tasks and relations.</summary>
    public DsWorkflow MapDag(JsonElement dag, long projectCode)
    {
        RequireDagShape(dag, "DagData", 0);
        var definition = dag.GetProperty(Dialect.DagDefinitionKey).Deserialize<WorkflowDefinitionDto>(DsJson.Options)!;
        var tasks = dag.TryGetProperty("taskDefinitionList", out var tl) && tl.ValueKind == JsonValueKind.Array
            ? tl.Deserialize<List<TaskDefinitionDto>>(DsJson.Options)! : new List<TaskDefinitionDto>();
        var relations = dag.TryGetProperty(Dialect.DagRelationListKey, out var rl) && rl.ValueKind == JsonValueKind.Array
            ? rl.Deserialize<List<TaskRelationDto>>(DsJson.Options)! : new List<TaskRelationDto>();
        return Map(definition, projectCode, tasks, relations);
    }

    private DsWorkflow Map(WorkflowDefinitionDto w, long projectCode, List<TaskDefinitionDto>? tasks, List<TaskRelationDto>? relations)
    {
        IReadOnlyList<DsTask>? taskModels = null;
        Dictionary<long, string>? names = null;
        if (tasks is not null)
        {
            var nameByCode = names = tasks.GroupBy(t => t.Code).ToDictionary(g => g.Key, g => g.First().Name ?? "");
            var upstream = (relations ?? new()).Where(r => r.PreTaskCode != 0)
                .GroupBy(r => r.PostTaskCode)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => nameByCode.GetValueOrDefault(r.PreTaskCode, r.PreTaskCode.ToString(CultureInfo.InvariantCulture))).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            taskModels = tasks.Select(t => new DsTask
            {
                Name = t.Name ?? "",
                TaskCode = t.Code,
                Version = t.Version,
                TaskType = t.TaskType,
                Description = t.Description,
                WorkerGroup = t.WorkerGroup,
                EnvironmentCode = t.EnvironmentCode,
                Priority = t.TaskPriority,
                Flag = t.Flag,
                FailRetryTimes = t.FailRetryTimes,
                FailRetryInterval = t.FailRetryInterval,
                TimeoutFlag = t.TimeoutFlag,
                Timeout = t.Timeout,
                DelayTime = t.DelayTime,
                TaskParams = t.TaskParams.ValueKind == JsonValueKind.String ? t.TaskParams.GetString() : t.TaskParams.ValueKind == JsonValueKind.Undefined ? null : t.TaskParams.GetRawText(),
                Upstream = upstream.GetValueOrDefault(t.Code, Array.Empty<string>()),
            }).ToArray();
        }
        return new DsWorkflow
        {
            ProjectCode = w.ProjectCode != 0 ? w.ProjectCode : projectCode,
            ProjectName = w.ProjectName,
            Name = w.Name ?? "",
            WorkflowCode = w.Code,
            Version = w.Version,
            ReleaseState = w.ReleaseState,
            ScheduleReleaseState = w.ScheduleReleaseState,
            Description = w.Description,
            ExecutionType = w.ExecutionType,
            Timeout = w.Timeout,
            ModifiedBy = w.ModifyBy ?? w.UserName,
            UpdateTime = ToLocal(w.UpdateTime),
            Tasks = taskModels,
            Relations = relations?.Select(r => new DsTaskRelation(r.PreTaskCode, r.PreTaskVersion, r.PostTaskCode, r.PostTaskVersion)
            {
                PreTask = r.PreTaskCode == 0 ? null : names?.GetValueOrDefault(r.PreTaskCode),
                PostTask = names?.GetValueOrDefault(r.PostTaskCode),
            }).ToArray(),
            Connection = Owner,
        };
    }

    /// <summary>Pre-generates task codes (GET …/task-definition/gen-task-codes; at most 100 per call).</summary>
    public async Task<IReadOnlyList<long>> GenerateTaskCodesAsync(long projectCode, int count, CancellationToken ct = default)
    {
        var codes = new List<long>(count);
        while (codes.Count < count)
        {
            var n = Math.Min(100, count - codes.Count);
            var batch = await CallAsync<List<long>>($"GET projects/{projectCode}/task-definition/gen-task-codes",
                (api, t) => api.GenTaskCodes(projectCode, n, t), ct).ConfigureAwait(false);
            codes.AddRange(batch);
        }
        return codes;
    }

    // ---------------------------------------------------------------- instances

    public async IAsyncEnumerable<DsWorkflowInstance> GetWorkflowInstancesAsync(long projectCode, DsInstanceFilter filter,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var segment = Dialect.WorkflowInstanceSegment;
        var query = new Dictionary<string, string>();
        if (filter.WorkflowCode is { } wc) query[Dialect.InstanceListDefinitionParameter] = Inv(wc);
        AddCommonFilters(query, filter);
        await foreach (var i in PagedAsync<WorkflowInstanceDto>($"GET projects/{projectCode}/{segment}",
                           (api, n, s, t) => api.ListWorkflowInstances(projectCode, segment, WithPage(query, n, s), t), ct).ConfigureAwait(false))
            yield return Map(i, projectCode);
    }

    public async IAsyncEnumerable<DsTaskInstance> GetTaskInstancesAsync(long projectCode, DsInstanceFilter filter,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var query = new Dictionary<string, string>();
        if (filter.WorkflowInstanceId is { } id) query[Dialect.WorkflowInstanceIdParameter] = Inv(id);
        if (!string.IsNullOrEmpty(filter.TaskName)) query["taskName"] = filter.TaskName;
        AddCommonFilters(query, filter);
        await foreach (var i in PagedAsync<TaskInstanceDto>($"GET projects/{projectCode}/task-instances",
                           (api, n, s, t) => api.ListTaskInstances(projectCode, WithPage(query, n, s), t), ct).ConfigureAwait(false))
            yield return Map(i, projectCode);
    }

    private void AddCommonFilters(Dictionary<string, string> query, DsInstanceFilter filter)
    {
        if (!string.IsNullOrEmpty(filter.StateName)) query["stateType"] = filter.StateName;
        if (!string.IsNullOrEmpty(filter.SearchVal)) query["searchVal"] = filter.SearchVal;
        if (!string.IsNullOrEmpty(filter.Host)) query["host"] = filter.Host;
        if (!string.IsNullOrEmpty(filter.Executor)) query["executorName"] = filter.Executor;
        if (filter.Since is { } since) query["startDate"] = ToServerText(since);
        if (filter.Until is { } until) query["endDate"] = ToServerText(until);
    }

    private static Dictionary<string, string> WithPage(Dictionary<string, string> query, int pageNo, int pageSize) =>
        new(query) { ["pageNo"] = Inv(pageNo), ["pageSize"] = Inv(pageSize) };

    private DsWorkflowInstance Map(WorkflowInstanceDto i, long projectCode) => new()
    {
        ProjectCode = i.ProjectCode != 0 ? i.ProjectCode : projectCode,
        WorkflowInstanceId = i.Id,
        Name = i.Name,
        WorkflowCode = i.WorkflowDefinitionCode != 0 ? i.WorkflowDefinitionCode : i.ProcessDefinitionCode,
        WorkflowVersion = i.WorkflowDefinitionVersion != 0 ? i.WorkflowDefinitionVersion : i.ProcessDefinitionVersion,
        State = DsDialect.StateFromName(i.State),
        DsState = i.State,
        CommandType = i.CommandType,
        StartTime = ToLocal(i.StartTime),
        EndTime = ToLocal(i.EndTime),
        ScheduleTime = ToLocal(i.ScheduleTime),
        RunTimes = i.RunTimes,
        Host = i.Host,
        Executor = i.ExecutorName,
        Connection = Owner,
    };

    private DsTaskInstance Map(TaskInstanceDto i, long projectCode) => new()
    {
        ProjectCode = projectCode,
        TaskInstanceId = i.Id,
        Name = i.Name,
        TaskType = i.TaskType,
        TaskCode = i.TaskCode,
        WorkflowInstanceId = i.WorkflowInstanceId != 0 ? i.WorkflowInstanceId : i.ProcessInstanceId,
        WorkflowInstanceName = i.WorkflowInstanceName ?? i.ProcessInstanceName,
        State = DsDialect.StateFromName(i.State),
        DsState = i.State,
        SubmitTime = ToLocal(i.SubmitTime),
        StartTime = ToLocal(i.StartTime),
        EndTime = ToLocal(i.EndTime),
        Host = i.Host,
        RetryTimes = i.RetryTimes,
        MaxRetryTimes = i.MaxRetryTimes,
        WorkerGroup = i.WorkerGroup,
        Connection = Owner,
    };
}

/// <summary>Filters of the instance list endpoints (docs/ds-facts.md §3.6, §3.7). Times are local or UTC.</summary>
public sealed record DsInstanceFilter
{
    public long? WorkflowCode { get; init; }
    public int? WorkflowInstanceId { get; init; }
    public string? TaskName { get; init; }
    /// <summary>One DS state name of the server's version (e.g. FAILURE, RUNNING_EXECUTION).</summary>
    public string? StateName { get; init; }
    public string? SearchVal { get; init; }
    public string? Host { get; init; }
    public string? Executor { get; init; }
    public DateTime? Since { get; init; }
    public DateTime? Until { get; init; }
}

internal sealed partial class DsClient
{
    public void Dispose() => _http.Dispose();
}

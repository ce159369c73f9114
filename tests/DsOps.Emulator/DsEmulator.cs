using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DsOps.Emulator.Api;
using DsOps.Emulator.Cluster;
using DsOps.Emulator.Hosting;
using DsOps.Emulator.Simulation;
using DsOps.Emulator.Storage;
using DsOps.Engine.Dialects;
using DsOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace DsOps.Emulator;

/// <summary>
/// A DolphinScheduler stand-in: DS's REST API for one dialect on http://127.0.0.1:port/dolphinscheduler/,
/// storing everything in DS's own metadata tables, with a simulated master and worker.
/// <code>await using var emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });</code>
/// </summary>
public sealed class DsEmulator : IAsyncDisposable
{
    private readonly EmulatorContext _ctx;
    private readonly HandlerTable _handlers;
    private readonly EmulatorOptions _options;
    private WebApplication? _app;
    private WebApplication? _actuators;
    private CancellationTokenSource? _autoRun;
    private Task? _autoRunTask;

    private DsEmulator(EmulatorContext ctx, HandlerTable handlers, EmulatorOptions options, string adminToken)
    {
        _ctx = ctx;
        _handlers = handlers;
        _options = options;
        AdminToken = adminToken;
    }

    public DsDialect Dialect => _ctx.Dialect;

    /// <summary>API base, ending in /dolphinscheduler/.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>An access token of user admin (id 1), inserted into t_ds_access_token at start.</summary>
    public string AdminToken { get; }

    /// <summary>Connection string of the metadata database the emulator writes.</summary>
    public string ConnectionString => _ctx.Db.ConnectionString;

    public FaultSettings Faults { get; } = new();
    public RequestLog RequestLog { get; } = new();
    public SimClock Clock => _ctx.Clock;
    public SimulatedMaster Master => _ctx.Master;
    internal EmulatorContext Context => _ctx;

    /// <summary>The emulated services with their fault switches (registered, overloaded, actuator down, heartbeat age, heap).</summary>
    public EmulatedCluster Cluster => _ctx.Cluster;

    /// <summary>Writes a metadata fault (backlog, error command, stuck instance, pending failover ...) the way DS leaves it.</summary>
    public Task InjectAsync(MetadataFault fault) => new MetadataFaults(_ctx).InjectAsync(fault);

    /// <summary>The health-check config (inventory with actuator ports) describing this emulator's cluster.</summary>
    public string HealthConfigYaml() => _ctx.Cluster.HealthConfigYaml(BaseUri.Port);

    /// <summary>Route keys ("METHOD /path/{}/…") the emulator answers; every one is a route of the dialect's endpoint file.</summary>
    public IReadOnlyCollection<string> EmulatedRoutes => _handlers.Keys.ToList();

    public static async Task<DsEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new EmulatorOptions();
        var dialect = DsDialect.Parse(options.Dialect);
        var schemaLabel = SchemaLabel(dialect);
        var dsData = options.DsDataPath ?? RepoPaths.DsData;

        var cs = options.ConnectionString;
        if (cs is null)
        {
            var server = await MariaDbFixture.Shared.ConfigureAwait(false);
            cs = await server.CreateDsDatabaseAsync(schemaLabel, ct).ConfigureAwait(false);
        }
        else if (!await HasDsSchemaAsync(cs, ct).ConfigureAwait(false))
        {
            var ddl = Path.Combine(dsData, "schema", $"dolphinscheduler_mysql_{schemaLabel}.sql");
            await MariaDbServer.ExecuteScriptAsync(cs, await File.ReadAllTextAsync(ddl, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        }

        var db = await MetadataDb.OpenAsync(cs, dialect, ct).ConfigureAwait(false);
        var ctx = new EmulatorContext
        {
            Dialect = dialect,
            Status = StatusCatalog.Load(Path.Combine(dsData, "status", $"status_{StatusLabel(dialect)}.tsv")),
            Endpoints = LoadEndpoints(dsData, dialect),
            Db = db,
            Clock = new SimClock(options.ClockStart ?? DateTime.UtcNow) { Acceleration = options.Acceleration },
            Codes = new CodeGenerator(dialect.Version >= new Version(3, 2, 0)),
            Cluster = options.Cluster ?? EmulatedCluster.SingleHost(),
        };
        ctx.Master = new SimulatedMaster(ctx);
        var handlers = new HandlerTable();
        ApiRegistration.RegisterAll(ctx, handlers);

        var token = await EnsureAdminTokenAsync(ctx).ConfigureAwait(false);
        await AlertPlugins.RegisterAsync(ctx).ConfigureAwait(false);
        await ctx.Master.RecoverAsync().ConfigureAwait(false);
        var emu = new DsEmulator(ctx, handlers, options, token);
        options.Faults?.Invoke(emu.Faults);
        await emu.StartHostAsync(options.Port, ct).ConfigureAwait(false);
        emu._actuators = await StartActuatorsAsync(ctx.Cluster, dialect, emu.BaseUri.Port, ct).ConfigureAwait(false);
        if (options.AutoRun) emu.StartAutoRun();
        return emu;
    }

    /// <summary>
    /// Actuator ports are picked free and then bound by Kestrel a moment later; another process (parallel test
    /// assemblies, other emulators) can take one in between, so a bind that loses that race picks new ports.
    /// </summary>
    private static async Task<WebApplication?> StartActuatorsAsync(
        EmulatedCluster cluster, DsDialect dialect, int apiPort, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            cluster.AssignActuatorPorts(apiPort);
            try
            {
                return await ActuatorEndpoints.StartAsync(cluster, dialect, ct).ConfigureAwait(false);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    /// <summary>
    /// The schema file label for a dialect (3.0 → 3.0.1, 3.1 → 3.1.9, 3.2 → 3.2.2, 3.3 → 3.3-dev, 3.4.x → 3.4.3).
    /// Only the 3.4.3 DDL is vendored for 3.4: 3.4.0-3.4.2 lack its missed_fire_policy column and two indexes,
    /// which no emulated route of those versions reads or writes.
    /// </summary>
    public static string SchemaLabel(DsDialect d) => d.Family switch
    {
        "3.0" => "3.0.1", "3.1" => "3.1.9", "3.2" => "3.2.2", "3.3" => "3.3-dev", _ => "3.4.3",
    };

    /// <summary>
    /// The route list for a dialect: the family's file, and per 3.4.x release 3.4.0-derived (3.4.1 plus import and
    /// batch-export), 3.4.1, 3.4.2-derived (no /v2, no task-relation routes) or 3.4.3-derived (no with-upstream task edit).
    /// </summary>
    public static string EndpointsLabel(DsDialect d) => d.Family != "3.4" ? SchemaLabel(d) : d.Version.Build switch
    {
        0 => "3.4.0-derived", 1 => "3.4.1", 2 => "3.4.2-derived", _ => "3.4.3-derived",
    };

    /// <summary>The status table for a dialect; 3.4 has none vendored and uses 3.3's (codes are stable; new 3.4 statuses are missing).</summary>
    public static string StatusLabel(DsDialect d) => d.Family == "3.4" ? "3.3-dev" : SchemaLabel(d);

    /// <summary>Loads the dialect's route list; the 3.4 lists borrow defaults and error statuses from 3.3's (EndpointCatalog.Load).</summary>
    public static EndpointCatalog LoadEndpoints(string dsData, DsDialect d)
    {
        string File(string label) => Path.Combine(dsData, "endpoints", $"endpoints_{label}.txt");
        return d.Family == "3.4"
            ? EndpointCatalog.Load(File(EndpointsLabel(d)), EndpointCatalog.Load(File("3.3-dev")))
            : EndpointCatalog.Load(File(EndpointsLabel(d)));
    }

    private static async Task<bool> HasDsSchemaAsync(string cs, CancellationToken ct)
    {
        await using var conn = new MySqlConnection(cs);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 't_ds_user'", conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false)) > 0;
    }

    private static async Task<string> EnsureAdminTokenAsync(EmulatorContext ctx)
    {
        var token = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        await ctx.Db.InsertAsync("t_ds_access_token", new Dictionary<string, object?>
        {
            ["user_id"] = 1, ["token"] = token, ["expire_time"] = ctx.Now.AddYears(10),
            ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
        }).ConfigureAwait(false);
        return token;
    }

    private async Task StartHostAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Stop quickly: a restart or dispose should not wait for clients' idle keep-alive connections.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024L * 1024 * 1024);
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/dolphinscheduler/");
        _app = app;
    }

    /// <summary>Simulates an API server restart: the listener goes away for <paramref name="downtime"/>
    /// (connections refused), then comes back on the same port. Sessions and data live in the DB and survive.</summary>
    public async Task RestartAsync(TimeSpan downtime = default)
    {
        var port = BaseUri.Port;
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
        if (downtime > TimeSpan.Zero) await Task.Delay(downtime).ConfigureAwait(false);
        await StartHostAsync(port, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Moves the simulated clock forward, letting the master and workers do everything due meanwhile.</summary>
    public Task AdvanceAsync(TimeSpan span) => _ctx.Master.AdvanceAsync(span);

    /// <summary>Consumes every pending command and runs every instance to its end on simulated time
    /// (bounded by <paramref name="limit"/> of simulated time, default 7 days).</summary>
    public Task RunUntilIdleAsync(TimeSpan? limit = null) => _ctx.Master.RunUntilIdleAsync(limit ?? TimeSpan.FromDays(7));

    private void StartAutoRun()
    {
        _autoRun = new CancellationTokenSource();
        var token = _autoRun.Token;
        _autoRunTask = Task.Run(async () =>
        {
            var tick = TimeSpan.FromMilliseconds(200);
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(tick, token).ConfigureAwait(false);
                    await _ctx.Master.AdvanceAsync(TimeSpan.FromSeconds(tick.TotalSeconds * _ctx.Clock.Acceleration)).ConfigureAwait(false);
                }
                catch (OperationCanceledException) { break; }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Keep the sandbox alive; the next tick retries (e.g. after a database hiccup).
                    Console.Error.WriteLine("emulator master: " + ex.GetType().Name + ": " + ex.Message);
                }
            }
        }, token);
    }

    // ---------------- request pipeline ----------------

    private static readonly string[] AuthFreePrefixes = { "login", "users/register", "ui/", "error", "swagger", "v3/api-docs", "doc.html", "oauth2-provider", "redirect/login/oauth2", "cookies", "actuator" };

    private async Task HandleAsync(HttpContext http)
    {
        var method = http.Request.Method.ToUpperInvariant();
        var fullPath = http.Request.Path.Value ?? "/";
        const string contextPath = "/dolphinscheduler";
        if (fullPath.StartsWith("/emulator/", StringComparison.Ordinal))
        {
            await EmulatorControl.HandleAsync(http, _ctx, fullPath["/emulator/".Length..]).ConfigureAwait(false);
            return;
        }
        if (!fullPath.StartsWith(contextPath + "/", StringComparison.Ordinal) && fullPath != contextPath)
        {
            RequestLog.Record(method + " (outside context path)", false);
            http.Response.StatusCode = 404;
            return;
        }
        var path = fullPath[contextPath.Length..].TrimStart('/');
        var route = _ctx.Endpoints.Match(method, "/" + path, out var pathValues);
        var wrote = new StrongBox<bool>(false);
        MetadataDb.CurrentRequestWrote.Value = wrote;
        RequestLog.Started();
        try
        {
            if (await ApplyFaultsAsync(http, route).ConfigureAwait(false)) return;
            await HandleCoreAsync(http, method, path, route, pathValues).ConfigureAwait(false);
        }
        finally
        {
            RequestLog.Record(route is null ? method + " (unmapped)" : method + " " + route.Template, wrote.Value);
            RequestLog.Finished();
            MetadataDb.CurrentRequestWrote.Value = null;
        }
    }

    private async Task<bool> ApplyFaultsAsync(HttpContext http, EndpointRoute? route)
    {
        var f = Faults;
        if (f.DripBytesPerSecond > 0) http.Response.Body = new DripStream(http.Response.Body, f.DripBytesPerSecond, http.RequestAborted);
        if (f.Latency > TimeSpan.Zero) await Task.Delay(f.Latency, http.RequestAborted).ConfigureAwait(false);
        if (route is not null && f.SlowEndpoint is { } slow && string.Equals(slow, route.Template, StringComparison.Ordinal) && f.SlowEndpointDelay > TimeSpan.Zero)
            await Task.Delay(f.SlowEndpointDelay, http.RequestAborted).ConfigureAwait(false);
        if (f.DropRate > 0 && f.NextDouble() < f.DropRate)
        {
            http.Abort();
            return true;
        }
        if (f.TakeForcedFailure() || (f.ServerErrorRate > 0 && f.NextDouble() < f.ServerErrorRate))
        {
            http.Response.StatusCode = f.ServerErrorStatus;
            return true;
        }
        if (f.RateLimitRate > 0 && f.NextDouble() < f.RateLimitRate)
        {
            http.Response.StatusCode = 429;
            return true;
        }
        return false;
    }

    private async Task HandleCoreAsync(HttpContext http, string method, string path, EndpointRoute? route, Dictionary<string, string> pathValues)
    {
        if (path.StartsWith("actuator/", StringComparison.Ordinal))
        {
            // Spring Boot actuator under the context path, outside DS's login interceptor.
            var api = _ctx.Cluster.Nodes.FirstOrDefault(n => n.Role == EmulatedRole.Api);
            if (api is not null && await ActuatorEndpoints.TryHandleAsync(http, api, _ctx.Dialect, path["actuator/".Length..]).ConfigureAwait(false)) return;
        }
        DsUser? user = null;
        if (!AuthFreePrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
        {
            user = await AuthApi.AuthenticateAsync(_ctx, http).ConfigureAwait(false);
            if (user is null)
            {
                // DS's login interceptor: HTTP 401 with an empty body, before any controller.
                http.Response.StatusCode = 401;
                return;
            }
        }
        if (route is null)
        {
            // DsErrorController forwards 404 to the UI's index.html: HTTP 200, HTML.
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/html;charset=UTF-8";
            await http.Response.WriteAsync(IndexHtml).ConfigureAwait(false);
            return;
        }

        JsonObject envelope;
        try
        {
            var handler = _handlers.Find(route)
                ?? throw new NotImplementedException($"{route.Method} {route.Template} is a DS {_ctx.Dialect.Family} route the emulator does not emulate");
            var request = await BindAsync(http, route, pathValues, user).ConfigureAwait(false);
            var result = await handler(request).ConfigureAwait(false);
            if (result is RawReply raw)
            {
                http.Response.ContentType = raw.ContentType;
                if (raw.FileName is not null) http.Response.Headers.ContentDisposition = $"attachment; filename=\"{raw.FileName}\"";
                await http.Response.WriteAsync(raw.Body).ConfigureAwait(false);
                return;
            }
            envelope = result is EnvelopeReply e
                ? DsJson.Envelope(0, e.Message, e.Data)
                : DsJson.Envelope(0, "success", result as JsonNode);
        }
        catch (DsServiceException ex)
        {
            try
            {
                var (code, _, template) = ex.StatusName is { } n ? _ctx.Status.ByName(n) : _ctx.Status.ByCode(ex.Code!.Value);
                envelope = DsJson.Envelope(code, StatusCatalog.Format(template, ex.Args), null);
            }
            catch (KeyNotFoundException missing)
            {
                // An emulator bug (a status this version lacks): visible as DS's internal error, never as success.
                envelope = ApiExceptionEnvelope(route, missing.Message);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // DS's global exception handler: binding failures, SQL errors (e.g. duplicate keys) and anything unexpected.
            envelope = ApiExceptionEnvelope(route, ex.Message);
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(envelope.ToJsonString(DsJson.Options)).ConfigureAwait(false);
    }

    /// <summary>DS's global exception handler: the route's @ApiException status (3.3 appends ":" + the exception
    /// message), or 10000 "Internal Server Error: {message}" when the route has none.</summary>
    private JsonObject ApiExceptionEnvelope(EndpointRoute route, string message)
    {
        if (route.ErrorStatus is { } name && _ctx.Status.Contains(name))
        {
            var (code, _, template) = _ctx.Status.ByName(name);
            var msg = StatusCatalog.Format(template);
            if (_ctx.V33) msg += ":" + message;
            return DsJson.Envelope(code, msg, null);
        }
        return DsJson.Envelope(10000, StatusCatalog.Format(_ctx.Status.ByCode(10000).Template, message), null);
    }

    private async Task<DsRequest> BindAsync(HttpContext http, EndpointRoute route, Dictionary<string, string> pathValues, DsUser? user)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in http.Request.Query) values[q.Key] = q.Value.ToString();
        IFormFileCollection? files = null;
        string? body = null;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            foreach (var f in form) values[f.Key] = f.Value.ToString();
            files = form.Files;
        }
        else if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        }
        foreach (var p in route.Parameters)
        {
            var present = p.Kind switch
            {
                ParameterKind.Required => values.ContainsKey(p.Name) || (files?.GetFile(p.Name) is not null),
                ParameterKind.Body => !string.IsNullOrWhiteSpace(body),
                _ => true,
            };
            if (!present)
                throw new DsBindingException(p.Kind == ParameterKind.Body
                    ? "Required request body is missing"
                    : $"Required request parameter '{p.Name}' for method parameter type {p.Type} is not present");
        }
        return new DsRequest(http, route, pathValues, values, body, files, user, _ctx.Dialect);
    }

    private const string IndexHtml =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>DolphinScheduler</title></head>" +
        "<body><div id=\"app\"></div><!-- DsOps emulator: unmapped path answered like DS's UI forward --></body></html>";

    public async ValueTask DisposeAsync()
    {
        if (_autoRun is not null)
        {
            await _autoRun.CancelAsync().ConfigureAwait(false);
            try { if (_autoRunTask is not null) await _autoRunTask.ConfigureAwait(false); } catch (OperationCanceledException) { }
            _autoRun.Dispose();
        }
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        if (_actuators is not null)
        {
            await _actuators.StopAsync().ConfigureAwait(false);
            await _actuators.DisposeAsync().ConfigureAwait(false);
        }
    }
}

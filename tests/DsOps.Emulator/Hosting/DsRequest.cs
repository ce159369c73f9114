using System.Globalization;
using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using Microsoft.AspNetCore.Http;

namespace DsOps.Emulator.Hosting;

/// <summary>The authenticated caller (a row of t_ds_user).</summary>
public sealed record DsUser(int Id, string Name, int UserType)
{
    public bool IsAdmin => UserType == 0;
}

/// <summary>A bound request: the matched DS route, its path variables and form/query parameters.</summary>
public sealed class DsRequest
{
    private readonly Dictionary<string, string> _values;

    public DsRequest(HttpContext http, EndpointRoute route, Dictionary<string, string> pathValues,
        Dictionary<string, string> values, string? body, IFormFileCollection? files, DsUser? user, DsDialect dialect)
    {
        Http = http;
        Route = route;
        PathValues = pathValues;
        _values = values;
        Body = body;
        Files = files;
        User = user;
        Dialect = dialect;
    }

    public HttpContext Http { get; }
    public EndpointRoute Route { get; }
    public Dictionary<string, string> PathValues { get; }
    public string? Body { get; }
    public IFormFileCollection? Files { get; }
    public DsUser? User { get; }
    public DsUser LoginUser => User ?? throw new InvalidOperationException("route requires a login user");
    public DsDialect Dialect { get; }

    /// <summary>Path variable by position (names differ between versions: {code} vs {projectCode}).</summary>
    public string PathAt(int index) => PathValues.Values.ElementAt(index);
    public long PathLong(int index) => ParseLong(Route.Parameters.FirstOrDefault(p => p.Kind == ParameterKind.Path)?.Name ?? "path", PathAt(index));

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>A parameter's value, the route's declared default, or null.</summary>
    public string? Str(string name)
    {
        if (_values.TryGetValue(name, out var v)) return v;
        var def = Route.Parameters.FirstOrDefault(p => p.Name == name)?.Default;
        return def is null || def.StartsWith("DEFAULT_", StringComparison.Ordinal) ? null : def;
    }

    public string Required(string name) => Str(name) ?? throw new DsBindingException($"Required request parameter '{name}' is not present");

    public long? LongOrNull(string name) => Str(name) is { Length: > 0 } s ? ParseLong(name, s) : null;
    public long Long(string name, long def = 0) => LongOrNull(name) ?? def;
    public int? IntOrNull(string name) => Str(name) is { Length: > 0 } s ? (int)ParseLong(name, s) : null;
    public int Int(string name, int def = 0) => IntOrNull(name) ?? def;

    private static long ParseLong(string name, string s) =>
        long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DsBindingException($"Failed to convert value of type 'java.lang.String' to required type 'long' for '{name}'; For input string: \"{s}\"");

    /// <summary>An enum parameter by DS enum name; unknown names are a binding error like Spring's conversion failure.</summary>
    public string? Enum(string name, params string[] allowed)
    {
        var s = Str(name);
        if (string.IsNullOrEmpty(s)) return null;
        if (allowed.Length > 0 && !allowed.Contains(s, StringComparer.Ordinal))
            throw new DsBindingException($"Failed to convert value of type 'java.lang.String' to required type for '{name}': No enum constant {s}");
        return s;
    }

    /// <summary>pageNo/pageSize as DS checks them (10001 "request parameter pageNo is not valid").</summary>
    public (int PageNo, int PageSize) Paging()
    {
        var no = Int("pageNo");
        var size = Int("pageSize");
        if (no <= 0) throw new DsServiceException(10001, "pageNo");
        if (size <= 0) throw new DsServiceException(10001, "pageSize");
        return (no, size);
    }

    /// <summary>DS's PageInfo: currentPage 1-based, offset field named start (3.0/3.1) or pageNo (3.2+).</summary>
    public JsonObject PageInfo(int pageNo, int pageSize, long total, JsonArray items) => new()
    {
        ["totalList"] = items,
        ["total"] = total,
        ["totalPage"] = total == 0 ? 1 : (int)Math.Ceiling(total / (double)pageSize),
        ["pageSize"] = pageSize,
        ["currentPage"] = pageNo,
        [Dialect.Version >= new Version(3, 2, 0) ? "pageNo" : "start"] = (pageNo - 1) * pageSize,
    };
}

/// <summary>A non-envelope answer (batch-export's file body, the UI's HTML).</summary>
public sealed record RawReply(string ContentType, string Body, string? FileName = null);

/// <summary>A success envelope with a message other than "success" (login answers "login success").</summary>
public sealed record EnvelopeReply(string Message, JsonNode? Data);

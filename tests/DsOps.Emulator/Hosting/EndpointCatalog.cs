using System.Text.RegularExpressions;

namespace DsOps.Emulator.Hosting;

/// <summary>One parameter of a DS controller method as listed in tests/third_party/dolphinscheduler/endpoints.</summary>
public sealed record EndpointParameter(string Name, string Type, ParameterKind Kind, string? Default);

public enum ParameterKind { Required, Optional, Path, Body }

/// <summary>One DS route: method, path template (relative to /dolphinscheduler), parameters and the
/// status the global exception handler reports for it (the @ApiException status, or null = 10000).</summary>
public sealed record EndpointRoute(string Method, string Template, string Handler, IReadOnlyList<EndpointParameter> Parameters, string? ErrorStatus)
{
    public string[] Segments { get; } = Template.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Template with path-variable names erased, e.g. "GET /projects/{}/process-definition/{}".</summary>
    public string Key { get; } = Method + " " + Regex.Replace(Template, "\\{[^}]+\\}", "{}");
}

/// <summary>
/// The routes one DS version maps, read from tests/third_party/dolphinscheduler/endpoints/endpoints_&lt;ver&gt;.txt
/// (METHOD | path | handler | params | @ApiException status). The emulator answers exactly these paths:
/// anything else gets DS's unmapped-path behaviour (HTTP 200 with the UI's index.html).
/// </summary>
public sealed class EndpointCatalog
{
    private static readonly Regex ParamPattern = new(@"^(?<name>[^:]+):(?<type>[^\[]+)\[(?<kind>req|opt|path|body)(?: def=(?<def>.*))?\]$");
    private readonly List<EndpointRoute> _routes;

    private EndpointCatalog(List<EndpointRoute> routes) => _routes = routes;

    public IReadOnlyList<EndpointRoute> Routes => _routes;

    /// <summary>
    /// Reads a route list. Two layouts exist: the project's own (DS 3.0.1-3.3-dev: name:type[req|opt|path|body def=…]
    /// and the @ApiException status) and the one of the 3.4.x lists (path: a,b ; query: x*:int, y:str? ; form: … |
    /// returns T), which names neither defaults nor @ApiException statuses. For the latter, <paramref name="nearest"/>
    /// (the 3.3 list) lends both for routes and parameters it shares: derived, not read from 3.4 source.
    /// </summary>
    public static EndpointCatalog Load(string path, EndpointCatalog? nearest = null)
    {
        var routes = new List<EndpointRoute>();
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            if (raw.StartsWith('#') || raw.Trim().Length == 0) continue;
            var cols = raw.Split(" | ");
            if (cols.Length < 4) throw new FormatException($"{path}:{lineNo}: expected 'METHOD | path | handler | params | status'.");
            if (cols.Length > 4 && cols[4].TrimStart().StartsWith("returns", StringComparison.Ordinal))
            {
                routes.Add(ParseListing34(cols, nearest, path, lineNo));
                continue;
            }
            var parameters = new List<EndpointParameter>();
            foreach (var p in SplitParams(cols[3].Trim()))
            {
                var m = ParamPattern.Match(p);
                if (!m.Success) continue; // e.g. loginUser-style injected arguments are not listed; tolerate odd entries
                var kind = m.Groups["kind"].Value switch
                {
                    "req" => ParameterKind.Required, "path" => ParameterKind.Path, "body" => ParameterKind.Body, _ => ParameterKind.Optional,
                };
                parameters.Add(new EndpointParameter(m.Groups["name"].Value.Trim(), m.Groups["type"].Value.Trim(), kind,
                    m.Groups["def"].Success ? m.Groups["def"].Value : null));
            }
            var status = cols.Length > 4 ? cols[4].Trim() : "";
            if (status.StartsWith("Status.", StringComparison.Ordinal)) status = status["Status.".Length..];
            routes.Add(new EndpointRoute(cols[0].Trim(), cols[1].Trim(), cols[2].Trim(), parameters, status.Length == 0 ? null : status));
        }
        return new EndpointCatalog(routes);
    }

    // "path: projectCode,code ; query: pageNo*:int, searchVal:str? ; form: … ; raw-json-body: json_str:str" (or "-").
    private static EndpointRoute ParseListing34(string[] cols, EndpointCatalog? nearest, string path, int lineNo)
    {
        var method = cols[0].Trim();
        var template = cols[1].Trim();
        var handler = cols[2].Trim();
        var dot = handler.LastIndexOf('.');
        if (dot >= 0) handler = handler[(dot + 1)..];
        var key = new EndpointRoute(method, template, handler, Array.Empty<EndpointParameter>(), null).Key;
        var before = nearest?._routes.FirstOrDefault(r => r.Key == key);
        var parameters = new List<EndpointParameter>();
        foreach (var section in cols[3].Split(" ; ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (section == "-") continue;
            var colon = section.IndexOf(':');
            if (colon < 0) throw new FormatException($"{path}:{lineNo}: parameter section '{section}' has no kind.");
            var kind = section[..colon].Trim();
            var list = section[(colon + 1)..].Trim();
            if (kind == "path")
            {
                foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    parameters.Add(new EndpointParameter(name, "long", ParameterKind.Path, null));
                continue;
            }
            var body = kind.Contains("json-body", StringComparison.Ordinal);
            foreach (var p in SplitParams(list))
            {
                var c = p.IndexOf(':');
                var name = (c < 0 ? p : p[..c]).Trim();
                var type = c < 0 ? "" : p[(c + 1)..].Trim();
                var required = name.EndsWith('*');
                name = name.TrimEnd('*');
                type = type.TrimEnd('?');
                if (name.Length == 0) continue;
                var pk = body ? ParameterKind.Body : required ? ParameterKind.Required : ParameterKind.Optional;
                parameters.Add(new EndpointParameter(name, type, pk, before?.Parameters.FirstOrDefault(x => x.Name == name)?.Default));
            }
        }
        return new EndpointRoute(method, template, handler, parameters, before?.ErrorStatus);
    }

    // Parameters are comma separated, but a default may itself contain commas inside brackets.
    private static IEnumerable<string> SplitParams(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '[') depth++;
            else if (text[i] == ']') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i].Trim();
                start = i + 1;
            }
        }
        if (start < text.Length) yield return text[start..].Trim();
    }

    /// <summary>
    /// Finds the route for a request path (relative to /dolphinscheduler). Like Spring, a literal segment
    /// beats a path variable (so /process-definition/all wins over /process-definition/{code}).
    /// </summary>
    public EndpointRoute? Match(string method, string path, out Dictionary<string, string> pathValues)
    {
        pathValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var segs = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        EndpointRoute? best = null;
        var bestScore = -1;
        foreach (var r in _routes)
        {
            if (!string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase) || r.Segments.Length != segs.Length) continue;
            var score = 0;
            var ok = true;
            for (var i = 0; i < segs.Length && ok; i++)
            {
                var t = r.Segments[i];
                if (t.StartsWith('{')) continue;
                if (string.Equals(t, segs[i], StringComparison.Ordinal)) score++;
                else ok = false;
            }
            if (ok && score > bestScore) { best = r; bestScore = score; }
        }
        if (best is null) return null;
        for (var i = 0; i < segs.Length; i++)
            if (best.Segments[i].StartsWith('{'))
                pathValues[best.Segments[i].Trim('{', '}')] = Uri.UnescapeDataString(segs[i]);
        return best;
    }
}

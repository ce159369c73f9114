using System.Text.RegularExpressions;

namespace DsOps.Emulator.Hosting;

/// <summary>Emulated handlers keyed like <see cref="EndpointRoute.Key"/> ("POST /projects/{}/process-definition").</summary>
public sealed class HandlerTable
{
    private readonly Dictionary<string, Func<DsRequest, Task<object?>>> _handlers = new(StringComparer.Ordinal);

    public void Map(string method, string template, Func<DsRequest, Task<object?>> handler) =>
        _handlers[method + " " + Regex.Replace(template, "\\{[^}]+\\}", "{}")] = handler;

    public Func<DsRequest, Task<object?>>? Find(EndpointRoute route) => _handlers.GetValueOrDefault(route.Key);

    public IEnumerable<string> Keys => _handlers.Keys;
}

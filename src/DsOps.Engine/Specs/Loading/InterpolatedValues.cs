using System.Collections.Concurrent;

namespace DsOps.Engine.Specs.Loading;

/// <summary>
/// The <c>${env:NAME}</c> values a load substituted, collected so that plans, plan files and plan output can put the
/// reference back instead of the value: environment variables are how secrets reach specs, so their values never
/// leave the process in a plan. Thread-safe (folders load in parallel).
/// </summary>
public sealed class InterpolatedValues
{
    /// <summary>Values shorter than this are not replaced (too short to be a secret, and would garble the review text).</summary>
    public const int MinLength = 4;

    private readonly ConcurrentDictionary<string, string> _byValue = new(StringComparer.Ordinal);
    private volatile KeyValuePair<string, string>[]? _ordered;

    public void Add(string name, string value)
    {
        if (value.Length < MinLength) return;
        if (_byValue.TryAdd(value, name)) _ordered = null;
    }

    public int Count => _byValue.Count;

    /// <summary>The text with every substituted value replaced by its <c>${env:NAME}</c> reference (longest values first).</summary>
    public string? Redact(string? text)
    {
        if (text is null || _byValue.IsEmpty) return text;
        var ordered = _ordered ??= _byValue.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        foreach (var (value, name) in ordered)
            if (text.Contains(value, StringComparison.Ordinal)) text = text.Replace(value, "${env:" + name + "}", StringComparison.Ordinal);
        return text;
    }
}

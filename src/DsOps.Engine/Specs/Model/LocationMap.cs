using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace DsOps.Engine.Specs.Model;

/// <summary>
/// A small read-only name → location map in two arrays, for <see cref="TaskSpec.DependencyLocations"/>: a task
/// has a handful of dependencies, and one <see cref="Dictionary{TKey,TValue}"/> per task cost ~240 bytes (7 MB of
/// a 40,000-task plan's peak) where this costs ~100. Lookups are linear, which is faster than hashing at this size.
/// </summary>
public sealed class LocationMap : IReadOnlyDictionary<string, SourceLocation>
{
    private readonly string[] _keys;
    private readonly SourceLocation[] _values;

    private LocationMap(string[] keys, SourceLocation[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;
    public IEnumerable<string> Keys => _keys;
    public IEnumerable<SourceLocation> Values => _values;

    public SourceLocation this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => Array.IndexOf(_keys, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out SourceLocation value)
    {
        var i = Array.IndexOf(_keys, key);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, SourceLocation>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++) yield return new(_keys[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Collects entries (a repeated key keeps its last location, like a dictionary's indexer).</summary>
    public sealed class Builder
    {
        private readonly List<string> _keys = new();
        private readonly List<SourceLocation> _values = new();

        public SourceLocation this[string key]
        {
            set
            {
                var i = _keys.IndexOf(key);
                if (i >= 0) _values[i] = value;
                else
                {
                    _keys.Add(key);
                    _values.Add(value);
                }
            }
        }

        /// <summary>The map; the shared empty map when there are no entries.</summary>
        public IReadOnlyDictionary<string, SourceLocation> ToMap() =>
            _keys.Count == 0 ? ImmutableDictionary<string, SourceLocation>.Empty : new LocationMap(_keys.ToArray(), _values.ToArray());
    }
}

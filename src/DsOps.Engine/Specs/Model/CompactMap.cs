using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace DsOps.Engine.Specs.Model;

/// <summary>
/// A small read-only name → value map in one array of pairs, for the many tiny maps a large sync holds: a task's
/// dependency locations (<see cref="TaskSpec.DependencyLocations"/>) and a server workflow's task codes
/// (<c>DsServerWorkflow.Tasks</c>). A <see cref="Dictionary{TKey,TValue}"/> of ten entries costs ~740 bytes (buckets,
/// entries sized to the next prime, the object), this ~300; 4,000 workflows × 10 tasks hold 40,000 such entries.
/// Keys are compared ordinally; lookups are linear up to <see cref="LinearLimit"/> entries (faster than hashing
/// at that size) and use an index built on first need above it. Enumeration keeps the order entries were added in.
/// </summary>
internal sealed class CompactMap<TValue> : IReadOnlyDictionary<string, TValue>
{
    /// <summary>Largest map searched linearly.</summary>
    public const int LinearLimit = 8;

    private readonly KeyValuePair<string, TValue>[] _entries;
    private Dictionary<string, int>? _index; // built once when first needed; a race builds an equal one

    private CompactMap(KeyValuePair<string, TValue>[] entries) => _entries = entries;

    public int Count => _entries.Length;
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);
    public IEnumerable<TValue> Values => _entries.Select(e => e.Value);

    public TValue this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : default;
        return i >= 0;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.Length <= LinearLimit)
        {
            for (var i = 0; i < _entries.Length; i++)
                if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal)) return i;
            return -1;
        }
        var index = _index;
        if (index is null)
        {
            index = new Dictionary<string, int>(_entries.Length, StringComparer.Ordinal);
            for (var i = 0; i < _entries.Length; i++) index[_entries[i].Key] = i;
            _index = index;
        }
        return index.TryGetValue(key, out var at) ? at : -1;
    }

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Collects entries (a repeated key keeps its first position and its last value, like a dictionary's indexer).</summary>
    public sealed class Builder
    {
        private readonly List<KeyValuePair<string, TValue>> _entries;
        private Dictionary<string, int>? _positions; // above LinearLimit entries, so that adding stays linear overall

        public Builder(int capacity = 0) => _entries = new List<KeyValuePair<string, TValue>>(capacity);

        public int Count => _entries.Count;

        public TValue this[string key]
        {
            set
            {
                ArgumentNullException.ThrowIfNull(key);
                var at = Position(key);
                if (at >= 0)
                {
                    _entries[at] = new(key, value);
                    return;
                }
                _positions?.Add(key, _entries.Count);
                _entries.Add(new(key, value));
                if (_positions is null && _entries.Count > LinearLimit)
                {
                    _positions = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i < _entries.Count; i++) _positions[_entries[i].Key] = i;
                }
            }
        }

        private int Position(string key)
        {
            if (_positions is not null) return _positions.TryGetValue(key, out var at) ? at : -1;
            for (var i = 0; i < _entries.Count; i++)
                if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal)) return i;
            return -1;
        }

        /// <summary>The map (exactly sized); the shared empty map when there are no entries.</summary>
        public IReadOnlyDictionary<string, TValue> ToMap() =>
            _entries.Count == 0 ? ImmutableDictionary<string, TValue>.Empty : new CompactMap<TValue>(_entries.ToArray());
    }
}

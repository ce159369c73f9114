using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Documents;

/// <summary>
/// A neutral document tree (mapping / sequence / scalar) with source positions. Every textual
/// spec format (DsOps YAML, saved plans in JSON, pydolphinscheduler YAML) is read into this tree
/// by a safe reader first; the spec model is then built from the tree without reflection, so no
/// input can instantiate arbitrary types.
/// </summary>
internal abstract class SpecNode
{
    protected SpecNode(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    /// <summary>Nodes in this subtree (itself included); the YAML reader's alias budget uses it.</summary>
    internal int Size { get; set; } = 1;

    /// <summary>Short kind name for messages ("mapping", "sequence", "scalar").</summary>
    public abstract string Kind { get; }
}

/// <summary>A scalar. <see cref="IsPlain"/> is false for quoted YAML scalars and JSON strings (never typed).</summary>
internal sealed class SpecScalar : SpecNode
{
    public SpecScalar(string? value, bool isPlain, SourceLocation location) : base(location)
    {
        Value = value;
        IsPlain = isPlain;
    }

    /// <summary>The text; null for YAML/JSON null.</summary>
    public string? Value { get; }

    public bool IsPlain { get; }

    public override string Kind => "scalar";

    public bool IsNull => Value is null;

    public override string ToString() => Value ?? "null";
}

internal sealed class SpecSequence : SpecNode
{
    public SpecSequence(IReadOnlyList<SpecNode> items, SourceLocation location) : base(location) => Items = items;

    public IReadOnlyList<SpecNode> Items { get; }

    public override string Kind => "sequence";
}

/// <summary>A mapping with string keys in document order.</summary>
internal sealed class SpecMapping : SpecNode
{
    public SpecMapping(IReadOnlyList<KeyValuePair<SpecScalar, SpecNode>> entries, SourceLocation location) : base(location) => Entries = entries;

    public IReadOnlyList<KeyValuePair<SpecScalar, SpecNode>> Entries { get; }

    public override string Kind => "mapping";

    public SpecNode? this[string key]
    {
        get
        {
            // Indexed, not foreach: enumerating the interface boxes an enumerator, and spec readers look up
            // ~30 keys per task (40,000 tasks: ~50 MB of garbage).
            var entries = Entries;
            for (var i = 0; i < entries.Count; i++)
                if (string.Equals(entries[i].Key.Value, key, StringComparison.Ordinal)) return entries[i].Value;
            return null;
        }
    }
}

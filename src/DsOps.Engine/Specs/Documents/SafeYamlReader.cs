using DsOps.Engine.Specs.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DsOps.Engine.Specs.Documents;

/// <summary>Limits that keep hostile YAML (alias bombs, huge files, deep nesting) from hurting the host.</summary>
internal sealed record SpecReaderLimits
{
    /// <summary>Largest accepted file in bytes (default 4 MiB; a workflow spec is a few KB).</summary>
    public long MaxFileBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deepest accepted nesting of mappings and sequences.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most nodes that alias references may add in total (each alias costs the size of its target).</summary>
    public int MaxAliasExpansion { get; init; } = 10_000;

    /// <summary>Most nodes one document may hold, aliases included.</summary>
    public int MaxNodes { get; init; } = 1_000_000;

    public static readonly SpecReaderLimits Default = new();
}

/// <summary>
/// Reads YAML at the parser-event level into a <see cref="SpecNode"/> tree. No object
/// deserialization, no custom tags, one document per file, duplicate keys refused, anchors and
/// aliases (and &lt;&lt; merge keys) resolved within a node budget.
/// </summary>
internal static class SafeYamlReader
{
    public static SpecNode? ReadFile(string path, SpecReaderLimits? limits = null, string? root = null)
    {
        limits ??= SpecReaderLimits.Default;
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"Spec file '{path}' does not exist.", path);
        // Bounded, regular files only, strict UTF-8 (SpecFileReader); the folder walk already checked the root.
        return Read(SpecFileReader.ReadText(path, root, limits.MaxFileBytes, $"spec file '{path}'"), path, limits);
    }

    /// <summary>Reads one YAML document; returns null for an empty document.</summary>
    public static SpecNode? Read(string text, string? fileName, SpecReaderLimits? limits = null)
    {
        limits ??= SpecReaderLimits.Default;
        if (text.Length > limits.MaxFileBytes)
            throw new SpecLoadException("DsSpecFileTooLarge", new SourceLocation(fileName),
                $"document is {text.Length:N0} characters; the limit is {limits.MaxFileBytes:N0}.");
        var state = new State(fileName, limits);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, state, 0);
            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
                throw new SpecLoadException("DsSpecMultipleDocuments", state.Loc(parser.Current!.Start),
                    "a spec file holds one YAML document; split '---' documents into separate files.");
            return root is SpecScalar { IsNull: true } ? null : root;
        }
        catch (YamlException ex) when (ex is not null)
        {
            // YamlDotNet marks are 1-based; its message repeats the position, keep only the reason.
            var reason = ex.InnerException?.Message ?? ex.Message;
            var colon = reason.IndexOf("): ", StringComparison.Ordinal);
            if (reason.StartsWith("(Line:", StringComparison.Ordinal) && colon > 0) reason = reason[(colon + 3)..];
            throw new SpecLoadException("DsSpecYamlSyntax", state.Loc(ex.Start), "YAML syntax error: " + reason, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this for some malformed input instead of a YamlException.
            throw new SpecLoadException("DsSpecYamlSyntax", state.Loc(state.LastMark), "YAML syntax error near here (malformed flow collection or scalar).", ex);
        }
    }

    private sealed class State
    {
        public State(string? file, SpecReaderLimits limits)
        {
            File = file;
            Limits = limits;
        }

        public string? File { get; }
        public SpecReaderLimits Limits { get; }
        public readonly Dictionary<string, (SpecNode Node, int Size)> Anchors = new(StringComparer.Ordinal);
        public int Nodes;
        public int AliasCost;
        // One instance per distinct short scalar of the document: keys, task types and task names repeat thousands of
        // times in a large spec file, and the specs built from the tree keep the values (40,000 tasks: ~3 MB less).
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private const int SharedStringLength = 32;
        public Mark LastMark = Mark.Empty;

        public SourceLocation Loc(Mark mark) => new(File, (int)mark.Line, (int)mark.Column);

        public string Share(string value)
        {
            if (value.Length > SharedStringLength) return value;
            if (_strings.TryGetValue(value, out var shared)) return shared;
            _strings.Add(value, value);
            return value;
        }

        public void Count(int n, Mark at)
        {
            Nodes += n;
            if (Nodes > Limits.MaxNodes)
                throw new SpecLoadException("DsSpecTooManyNodes", Loc(at), $"document has more than {Limits.MaxNodes:N0} nodes.");
        }
    }

    private static SpecNode ReadNode(IParser parser, State state, int depth)
    {
        var ev = parser.Current ?? throw new SpecLoadException("DsSpecYamlSyntax", new SourceLocation(state.File), "unexpected end of document.");
        state.LastMark = ev.Start;
        switch (ev)
        {
            case AnchorAlias alias:
            {
                parser.MoveNext();
                if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new SpecLoadException("DsSpecYamlSyntax", state.Loc(alias.Start), $"alias *{alias.Value.Value} refers to no anchor.");
                state.AliasCost += target.Size;
                if (state.AliasCost > state.Limits.MaxAliasExpansion)
                    throw new SpecLoadException("DsSpecAliasBudget", state.Loc(alias.Start),
                        $"aliases expand to more than {state.Limits.MaxAliasExpansion:N0} nodes (possible alias bomb); refused.");
                state.Count(target.Size, alias.Start);
                return target.Node;
            }
            case Scalar scalar:
            {
                parser.MoveNext();
                var plain = scalar.Style == ScalarStyle.Plain;
                var tagged = TagKind(scalar.Tag, state, scalar.Start);
                if (tagged == "str") plain = false;
                string? value = state.Share(scalar.Value);
                if (plain && (value.Length == 0 || value is "~" or "null" or "Null" or "NULL")) value = null;
                if (tagged == "null") value = null;
                var node = new SpecScalar(value, plain, state.Loc(scalar.Start));
                state.Count(1, scalar.Start);
                Remember(state, scalar.Anchor, node, 1);
                return node;
            }
            case SequenceStart seq:
            {
                CheckDepth(state, depth, seq.Start);
                TagKind(seq.Tag, state, seq.Start);
                parser.MoveNext();
                var items = new List<SpecNode>();
                var size = 1;
                state.Count(1, seq.Start);
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var item = ReadNode(parser, state, depth + 1);
                    size += SizeOf(state, item);
                    items.Add(item);
                }
                var node = new SpecSequence(items, state.Loc(seq.Start)) { Size = size };
                Remember(state, seq.Anchor, node, size);
                return node;
            }
            case MappingStart map:
            {
                CheckDepth(state, depth, map.Start);
                TagKind(map.Tag, state, map.Start);
                parser.MoveNext();
                var entries = new List<KeyValuePair<SpecScalar, SpecNode>>();
                var merged = new List<KeyValuePair<SpecScalar, SpecNode>>();
                var size = 1;
                state.Count(1, map.Start);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current!;
                    var keyNode = ReadNode(parser, state, depth + 1);
                    if (keyNode is not SpecScalar { IsNull: false } key)
                        throw new SpecLoadException("DsSpecYamlKey", state.Loc(keyEvent.Start), "mapping keys must be plain text, not " + keyNode.Kind + "s or null.");
                    var value = ReadNode(parser, state, depth + 1);
                    size += 1 + SizeOf(state, value);
                    if (key.IsPlain && key.Value == "<<")
                    {
                        AddMerge(merged, value, state);
                        continue;
                    }
                    foreach (var e in entries)
                        if (e.Key.Value == key.Value)
                            throw new SpecLoadException("DsSpecDuplicateKey", key.Location, $"key '{key.Value}' appears twice in this mapping (first at line {e.Key.Location.Line}).");
                    entries.Add(new(key, value));
                }
                // Explicit keys win over merged ones (YAML merge-key semantics).
                foreach (var m in merged)
                    if (!entries.Exists(e => e.Key.Value == m.Key.Value)) entries.Add(m);
                var node = new SpecMapping(entries, state.Loc(map.Start)) { Size = size };
                Remember(state, map.Anchor, node, size);
                return node;
            }
            default:
                throw new SpecLoadException("DsSpecYamlSyntax", state.Loc(ev.Start), $"unexpected YAML event {ev.GetType().Name}.");
        }
    }

    private static void AddMerge(List<KeyValuePair<SpecScalar, SpecNode>> merged, SpecNode value, State state)
    {
        IEnumerable<SpecNode> sources = value is SpecSequence s ? s.Items : new[] { value };
        foreach (var src in sources)
        {
            if (src is not SpecMapping m)
                throw new SpecLoadException("DsSpecYamlKey", src.Location, "a '<<' merge key needs a mapping or a list of mappings.");
            foreach (var e in m.Entries)
                if (!merged.Exists(x => x.Key.Value == e.Key.Value)) merged.Add(e);
        }
    }

    private static int SizeOf(State state, SpecNode node) => node.Size;

    private static void Remember(State state, AnchorName anchor, SpecNode node, int size)
    {
        if (!anchor.IsEmpty) state.Anchors[anchor.Value] = (node, size);
    }

    private static void CheckDepth(State state, int depth, Mark at)
    {
        if (depth >= state.Limits.MaxDepth)
            throw new SpecLoadException("DsSpecTooDeep", state.Loc(at), $"nesting is deeper than {state.Limits.MaxDepth} levels; refused.");
    }

    /// <summary>Only YAML core-schema tags are allowed; application tags (!foo, !!python/...) are refused.</summary>
    private static string? TagKind(TagName tag, State state, Mark at)
    {
        if (tag.IsEmpty || tag.IsNonSpecific) return null;
        return tag.Value switch
        {
            "tag:yaml.org,2002:str" => "str",
            "tag:yaml.org,2002:null" => "null",
            "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" or "tag:yaml.org,2002:bool"
                or "tag:yaml.org,2002:map" or "tag:yaml.org,2002:seq" => "core",
            _ => throw new SpecLoadException("DsSpecYamlTag", state.Loc(at), $"YAML tag '{tag.Value}' is not allowed in specs (only core types)."),
        };
    }
}

using System.Text.RegularExpressions;
using DsOps.Engine.Specs.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DsOps.Engine.Specs.Documents;

/// <summary>
/// Writes the neutral tree as YAML through YamlDotNet's event emitter. Strings that would read back
/// as another type (numbers, booleans, null, empty) are quoted; multi-line text uses literal blocks,
/// so scripts stay readable in Git diffs.
/// </summary>
public static partial class YamlSpecWriter
{
    internal static string Write(SpecNode root, string? headerComment = null)
    {
        var sw = new StringWriter { NewLine = "\n" };
        if (headerComment is not null)
            foreach (var line in headerComment.Split('\n')) sw.WriteLine("# " + line);
        var emitter = new Emitter(sw, new EmitterSettings(2, int.MaxValue, false, 1024, true, true, "\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return sw.ToString();
    }

    /// <summary>
    /// Writes a project's workflows (sorted by name) as one document. Text that would read back as an
    /// interpolation (<c>${env:X}</c>) is escaped (<c>$${env:X}</c>) so it loads unchanged, except the
    /// placeholders named in <paramref name="placeholders"/> (secrets moved to environment variables).
    /// </summary>
    public static string WriteProject(string project, IEnumerable<WorkflowSpec> workflows, IReadOnlyCollection<string>? placeholders = null, string? projectDescription = null) =>
        Write(EscapeInterpolation(SpecDocumentWriter.Document(project, workflows.OrderBy(w => w.Name, StringComparer.Ordinal), projectDescription), placeholders ?? Array.Empty<string>()),
            "DsOps workflow spec. Schema: dsops-workflow.schema.json (see docs/workflows-as-config.md).");

    private static SpecNode EscapeInterpolation(SpecNode node, IReadOnlyCollection<string> keep) => node switch
    {
        SpecMapping m => new SpecMapping(m.Entries.Select(e => KeyValuePair.Create(e.Key, EscapeInterpolation(e.Value, keep))).ToList(), m.Location),
        SpecSequence q => new SpecSequence(q.Items.Select(i => EscapeInterpolation(i, keep)).ToList(), q.Location),
        SpecScalar { IsPlain: false, Value: { } v } sc when v.Contains("${env:", StringComparison.Ordinal) =>
            new SpecScalar(EnvMarker().Replace(v, x => keep.Contains(x.Groups[1].Value) && x.Value.EndsWith('}') ? x.Value : "$" + x.Value), false, sc.Location),
        _ => node,
    };

    [GeneratedRegex(@"\$\{env:([A-Za-z0-9_]*)\}?")]
    private static partial Regex EnvMarker();

    private static void Emit(IEmitter emitter, SpecNode node)
    {
        switch (node)
        {
            case SpecMapping m:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (k, v) in m.Entries)
                {
                    EmitScalar(emitter, k.Value!, typed: false);
                    Emit(emitter, v);
                }
                emitter.Emit(new MappingEnd());
                break;
            case SpecSequence s:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var i in s.Items) Emit(emitter, i);
                emitter.Emit(new SequenceEnd());
                break;
            case SpecScalar { Value: null }:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case SpecScalar sc:
                EmitScalar(emitter, sc.Value!, sc.IsPlain);
                break;
        }
    }

    private static void EmitScalar(IEmitter emitter, string value, bool typed)
    {
        if (typed)
        {
            emitter.Emit(new Scalar(null, null, value, ScalarStyle.Plain, true, false));
            return;
        }
        ScalarStyle style;
        if (value.Contains('\n') && !value.Contains('\r') && !value.Contains('\t') && !HasTrailingSpaceLine(value)) style = ScalarStyle.Literal;
        else if (NeedsQuotes(value)) style = ScalarStyle.DoubleQuoted;
        else style = ScalarStyle.Plain;
        emitter.Emit(new Scalar(null, null, value, style, style == ScalarStyle.Plain, style != ScalarStyle.Plain));
    }

    private static bool HasTrailingSpaceLine(string v) => v.Split('\n').Any(l => l.EndsWith(' ')) || v.StartsWith(' ') || v.StartsWith('\n');

    private static bool NeedsQuotes(string v) =>
        v.Length == 0 || v != v.Trim() || Typed().IsMatch(v) || v.IndexOfAny(Special) >= 0 || "-?:,[]{}#&*!|>'\"%@`".Contains(v[0]);

    private static readonly char[] Special = { ':', '#', '\n', '\r', '\t', '"', '\'', '\\', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`' };

    [GeneratedRegex(@"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex Typed();
}

using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DsOps.Engine.Reports;

/// <summary>
/// Workflow deadlines for run reports: 'workflow' or 'project/workflow' mapped to a time after the start of the
/// business date ("06:00", "1.02:00" = 02:00 the next day). Read from a YAML or JSON file (a top-level mapping,
/// or one under a <c>deadlines:</c> key) with YamlDotNet's node model, so no type is ever instantiated from the file.
/// </summary>
public static class DeadlineConfig
{
    /// <summary>Parses one deadline value; null when it is not a time between 0 and 7 days.</summary>
    public static TimeSpan? ParseOffset(object? value) => value switch
    {
        TimeSpan t when t >= TimeSpan.Zero && t <= TimeSpan.FromDays(7) => t,
        string s when TimeSpan.TryParse(s.Trim(), CultureInfo.InvariantCulture, out var t) && t >= TimeSpan.Zero && t <= TimeSpan.FromDays(7) => t,
        _ => null,
    };

    public static Dictionary<string, TimeSpan> Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsDeadlineFileUnreadable", $"{path}: cannot read the deadline file ({ex.Message}).", ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses YAML/JSON text; errors name <paramref name="source"/> and the line.</summary>
    public static Dictionary<string, TimeSpan> Parse(string text, string source)
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw Error(source, ex.Start.Line, "is not valid YAML or JSON: " + ex.Message);
        }
        if (stream.Documents.Count == 0) return result;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Error(source, stream.Documents[0].RootNode.Start.Line, "must be a mapping of workflow names to deadlines.");
        var map = root;
        if (root.Children.TryGetValue(new YamlScalarNode("deadlines"), out var inner))
            map = inner as YamlMappingNode ?? throw Error(source, inner.Start.Line, "'deadlines' must be a mapping of workflow names to deadlines.");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (string.IsNullOrWhiteSpace(key))
                throw Error(source, keyNode.Start.Line, "has an empty or non-text workflow name.");
            var offset = valueNode is YamlScalarNode { Value: { } v } ? ParseOffset(v) : null;
            if (offset is null)
                throw Error(source, valueNode.Start.Line, $"deadline of '{key}' is not a time after the start of the business date (use '06:00' or '1.02:00').");
            result[key] = offset.Value;
        }
        return result;
    }

    private static DsOpsException Error(string source, long line, string message) =>
        new(DsErrorKind.InvalidInput, "DsInvalidDeadline", $"{source}:{line}: {message}");
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DsOps.Engine.Notifications;

/// <summary>How the size of a piece of body text is counted for one channel's limit.</summary>
/// <param name="TextCost">Cost of a run of text (e.g. its UTF-8 bytes once JSON-escaped). Must be additive.</param>
/// <param name="PerLineCost">Extra cost of every line (e.g. the JSON wrapper of a Feishu post line).</param>
/// <param name="SeparatorCost">Cost of joining two lines.</param>
internal sealed record SizeMeasure(Func<string, int> TextCost, int PerLineCost, int SeparatorCost)
{
    /// <summary>
    /// The JSON encoder every notifier serializes with: CJK stays 3 bytes instead of a 6-byte \uXXXX
    /// (docs/chat-robots.md §7.4), and markup such as &lt;font&gt; or quotes is not HTML-escaped. Safe because the
    /// JSON is posted as a request body, never embedded in HTML.
    /// </summary>
    public static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>UTF-8 bytes of <paramref name="text"/> as it appears inside a JSON string.</summary>
    public static int JsonBytes(string text) => JsonEncodedText.Encode(text, JsonEncoder).EncodedUtf8Bytes.Length;

    /// <summary>Text inside a JSON string value, lines joined with "\n" (escaped as two bytes).</summary>
    public static readonly SizeMeasure JsonString = new(JsonBytes, 0, 2);

    /// <summary>UTF-16 characters (Slack counts characters, not bytes).</summary>
    public static readonly SizeMeasure Characters = new(s => s.Length, 0, 1);

    public int Of(string text)
    {
        var lines = text.Split('\n');
        return lines.Sum(TextCost) + lines.Length * PerLineCost + (lines.Length - 1) * SeparatorCost;
    }
}

/// <summary>
/// Splits a long body into parts that each fit a size budget: only at line boundaries, except that a
/// single line longer than the budget is cut between whole Unicode scalar values (never inside a UTF-8
/// sequence or a surrogate pair). Part numbering is left to the notifier, which adds "(k/n)" to titles.
/// </summary>
internal static class MessageSplitter
{
    public static IReadOnlyList<string> Split(string body, int budget, SizeMeasure measure)
    {
        if (budget <= measure.PerLineCost + 8)
            throw new ArgumentOutOfRangeException(nameof(budget), budget, "The size budget leaves no room for text.");
        var lines = (body ?? "").Replace("\r\n", "\n").Split('\n');
        var parts = new List<string>();
        var current = new StringBuilder();
        var currentCost = 0;
        var currentLines = 0;

        void Flush()
        {
            if (currentLines == 0) return;
            parts.Add(current.ToString());
            current.Clear();
            currentCost = 0;
            currentLines = 0;
        }

        foreach (var line in lines)
        {
            var cost = measure.TextCost(line) + measure.PerLineCost;
            if (cost > budget)
            {
                Flush();
                foreach (var chunk in HardSplit(line, budget - measure.PerLineCost, measure.TextCost)) parts.Add(chunk);
                continue;
            }
            var added = currentLines == 0 ? cost : cost + measure.SeparatorCost;
            if (currentCost + added > budget)
            {
                Flush();
                added = cost;
            }
            if (currentLines > 0) current.Append('\n');
            current.Append(line);
            currentCost += added;
            currentLines++;
        }
        Flush();
        if (parts.Count == 0) parts.Add("");
        return parts;
    }

    /// <summary>Cuts one over-long line into chunks within <paramref name="budget"/>, between Unicode scalar values.</summary>
    private static IEnumerable<string> HardSplit(string line, int budget, Func<string, int> cost)
    {
        var chunk = new StringBuilder();
        var chunkCost = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var s = rune.ToString();
            var c = cost(s);
            if (chunkCost + c > budget && chunk.Length > 0)
            {
                yield return chunk.ToString();
                chunk.Clear();
                chunkCost = 0;
            }
            chunk.Append(s);
            chunkCost += c;
        }
        if (chunk.Length > 0) yield return chunk.ToString();
    }
}

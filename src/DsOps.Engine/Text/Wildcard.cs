using System.Text;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Text;

/// <summary>
/// The one wildcard matcher of DsOps (cmdlet -Name/-Project filters, -UpdateSecrets, health-config patterns): the
/// shell's syntax (<c>*</c>, <c>?</c>, <c>[abc]</c>/<c>[a-c]</c>, a backtick escapes the next character),
/// case-insensitive and culture-invariant, so the engine matches exactly what a user typed at the prompt.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    public bool IsMatch(string value) => _regex.IsMatch(value);

    /// <summary>True when <paramref name="pattern"/> has an unescaped <c>*</c>, <c>?</c> or <c>[</c> (a literal name otherwise).</summary>
    public static bool HasWildcards(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '`') { i++; continue; }
            if (pattern[i] is '*' or '?' or '[') return true;
        }
        return false;
    }

    /// <summary>Null for no patterns (everything matches, see <see cref="MatchesAny"/>).</summary>
    public static Wildcard[]? Compile(IEnumerable<string>? patterns)
    {
        var list = patterns?.Select(p => new Wildcard(p)).ToArray();
        return list is null || list.Length == 0 ? null : list;
    }

    /// <summary>No patterns match everything; otherwise any pattern matching <paramref name="value"/>.</summary>
    public static bool MatchesAny(IReadOnlyList<Wildcard>? patterns, string? value) =>
        patterns is null || (value is not null && patterns.Any(p => p.IsMatch(value)));

    /// <summary>
    /// <see cref="MatchesAny(IReadOnlyList{Wildcard}?, string?)"/> for an object that has a numeric code as well as a
    /// name (a project, a workflow): a pattern that is a plain number, as -Project 12345 is, also matches the code.
    /// </summary>
    public static bool MatchesAny(IReadOnlyList<Wildcard>? patterns, string? name, long code)
    {
        if (MatchesAny(patterns, name)) return true;
        if (patterns is null) return false;
        var text = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return patterns.Any(p => p.Pattern == text);
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length) sb.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (c == '[' && pattern.IndexOf(']', i + 1) is var end and > 0 && end > i + 1)
            {
                sb.Append('[');
                foreach (var member in pattern.AsSpan(i + 1, end - i - 1))
                    sb.Append(member is '\\' or '^' or '[' ? "\\" + member : member.ToString());
                sb.Append(']');
                i = end;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}

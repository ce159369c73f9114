using System.Text;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Loading;

/// <summary>
/// Expands <c>${env:NAME}</c> in spec strings. An unset variable is an error (never silently left
/// as text, unlike pydolphinscheduler's $ENV). <c>$${env:NAME}</c> writes a literal <c>${env:NAME}</c>.
/// DS's own placeholders (<c>${bizdate}</c>, <c>$[yyyyMMdd-1]</c>) pass through untouched.
/// </summary>
internal sealed class SpecInterpolator
{
    private const string Marker = "${env:";
    private readonly Func<string, string?> _lookup;
    private readonly InterpolatedValues? _record;

    public SpecInterpolator(Func<string, string?>? lookup = null, InterpolatedValues? record = null)
    {
        _lookup = lookup ?? Environment.GetEnvironmentVariable;
        _record = record;
    }

    public string? Expand(string? text, SourceLocation at, FindingSink findings)
    {
        if (text is null || !text.Contains(Marker, StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var k = text.IndexOf(Marker, i, StringComparison.Ordinal);
            if (k < 0) { sb.Append(text, i, text.Length - i); break; }
            if (k > 0 && text[k - 1] == '$')
            {
                // "$${env:X}" -> literal "${env:X}"
                sb.Append(text, i, k - 1 - i).Append(Marker);
                i = k + Marker.Length;
                continue;
            }
            sb.Append(text, i, k - i);
            var end = text.IndexOf('}', k);
            if (end < 0)
            {
                findings.Error("InvalidInterpolation", at, $"'${{env:' has no closing '}}' in \"{Shorten(text)}\".");
                return text;
            }
            var name = text.Substring(k + Marker.Length, end - k - Marker.Length);
            if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
            {
                findings.Error("InvalidInterpolation", at, $"'{name}' is not an environment variable name.");
                return text;
            }
            var value = _lookup(name);
            if (value is null)
            {
                findings.Error("UnsetEnvironmentVariable", at, $"environment variable '{name}' is not set (referenced as ${{env:{name}}}).");
                return text;
            }
            _record?.Add(name, value);
            // A secret-named variable's value is masked in every message from now on (docs/workflows-as-config.md).
            if (Planning.SecretRedactor.IsSensitive(name)) SecretRegistry.Register(value);
            sb.Append(value);
            i = end + 1;
        }
        return sb.ToString();
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}

using System.Management.Automation;

namespace DsOps.Infrastructure;

/// <summary>PowerShell wildcard matching for -Name parameters (case-insensitive, like the shell).</summary>
internal static class Wildcards
{
    public static WildcardPattern[]? Compile(string[]? patterns) =>
        patterns is null || patterns.Length == 0 ? null
            : patterns.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();

    public static bool Matches(WildcardPattern[]? patterns, string? value) =>
        patterns is null || (value is not null && patterns.Any(p => p.IsMatch(value)));
}

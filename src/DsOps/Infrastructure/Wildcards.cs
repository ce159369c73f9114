using DsOps.Engine.Text;

namespace DsOps.Infrastructure;

/// <summary>Wildcard filters of cmdlet parameters: the engine's one matcher (<see cref="Wildcard"/>), the shell's syntax.</summary>
internal static class Wildcards
{
    public static Wildcard[]? Compile(string[]? patterns) => Wildcard.Compile(patterns);

    public static bool Matches(Wildcard[]? patterns, string? value) => Wildcard.MatchesAny(patterns, value);
}

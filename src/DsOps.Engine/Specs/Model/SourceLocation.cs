namespace DsOps.Engine.Specs.Model;

/// <summary>
/// Where a spec element came from: a file with 1-based line and column (YAML),
/// a config-table row, or nothing (built in code or read from a server).
/// </summary>
public readonly record struct SourceLocation(string? File, int Line = 0, int Column = 0)
{
    public static readonly SourceLocation None = default;

    public bool IsKnown => File is not null;

    public SourceLocation At(int line, int column) => new(File, line, column);

    /// <summary><c>file:line:col</c>, <c>file</c> when no position is known, or empty.</summary>
    public override string ToString() =>
        File is null ? "" : Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

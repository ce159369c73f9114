using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Specs.Documents;

/// <summary>A spec document that cannot be read at all (syntax, hostile input). Carries file:line:col.</summary>
internal sealed class SpecLoadException : DsOpsException
{
    public SpecLoadException(string errorId, SourceLocation location, string message, Exception? inner = null)
        : base(DsErrorKind.InvalidInput, errorId, location.IsKnown ? $"{location}: {message}" : message, inner)
    {
        Location = location;
        Detail = message;
    }

    public SourceLocation Location { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Detail { get; }
}

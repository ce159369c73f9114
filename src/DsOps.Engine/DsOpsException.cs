namespace DsOps.Engine;

/// <summary>What went wrong, in terms the cmdlet layer maps to an error id and category.</summary>
public enum DsErrorKind
{
    /// <summary>A DS business error: HTTP 200 with a non-zero code.</summary>
    Business,
    /// <summary>HTTP 401 (no, wrong or expired token or session) or a failed login.</summary>
    Authentication,
    /// <summary>The user lacks a permission DS checks (30001, 30002) or HTTP 403.</summary>
    Permission,
    /// <summary>The endpoint is not mapped on this DS version (DS answers such paths with its UI's HTML).</summary>
    EndpointMissing,
    /// <summary>A referenced object (project, workflow, instance...) does not exist.</summary>
    NotFound,
    /// <summary>The server could not be reached, reset the connection or answered 5xx.</summary>
    Unavailable,
    /// <summary>HTTP 429 from DS's traffic control or a chat robot's rate limit.</summary>
    RateLimited,
    /// <summary>The request did not finish within its timeout.</summary>
    Timeout,
    /// <summary>The server answered something that is not a DS envelope.</summary>
    InvalidResponse,
    /// <summary>The caller's input is invalid (file, line, parameter named in the message).</summary>
    InvalidInput,
    /// <summary>The operation cannot proceed in the current state (e.g. plan is stale).</summary>
    InvalidState,
    /// <summary>Database errors from the metadata connection.</summary>
    Database,
    /// <summary>Another process holds what this one needs (e.g. a sync of the same project is running).</summary>
    Busy,
}

/// <summary>
/// Base of every error the engine raises on purpose. Messages never contain secrets: every value registered in
/// <see cref="SecretRegistry"/> is masked here, whatever text (DS's msg, a proxy's page) went into the message.
/// <see cref="ErrorId"/> is the stable token the cmdlet layer turns into a FullyQualifiedErrorId.
/// </summary>
public class DsOpsException : Exception
{
    public DsOpsException(DsErrorKind kind, string errorId, string message, Exception? inner = null)
        : base(SecretRegistry.Redact(message), inner)
    {
        Kind = kind;
        ErrorId = errorId;
    }

    public DsErrorKind Kind { get; }
    public string ErrorId { get; }
}

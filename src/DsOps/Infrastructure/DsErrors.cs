using System.Management.Automation;
using DsOps.Engine;

namespace DsOps.Infrastructure;

/// <summary>
/// The one place that turns exceptions into ErrorRecords: stable ids and fitting categories.
/// The FullyQualifiedErrorId becomes "&lt;ErrorId&gt;,&lt;Namespace.CommandClass&gt;".
/// </summary>
public static class DsErrors
{
    public static ErrorCategory CategoryOf(DsErrorKind kind) => kind switch
    {
        DsErrorKind.Authentication => ErrorCategory.AuthenticationError,
        DsErrorKind.Permission => ErrorCategory.PermissionDenied,
        DsErrorKind.EndpointMissing => ErrorCategory.NotImplemented,
        DsErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        DsErrorKind.Unavailable => ErrorCategory.ResourceUnavailable,
        DsErrorKind.RateLimited => ErrorCategory.LimitsExceeded,
        DsErrorKind.Timeout => ErrorCategory.OperationTimeout,
        DsErrorKind.InvalidResponse => ErrorCategory.InvalidResult,
        DsErrorKind.InvalidInput => ErrorCategory.InvalidArgument,
        DsErrorKind.InvalidState => ErrorCategory.InvalidOperation,
        DsErrorKind.Database => ErrorCategory.ReadError,
        DsErrorKind.Busy => ErrorCategory.ResourceBusy,
        _ => ErrorCategory.InvalidOperation,
    };

    /// <summary>
    /// Builds the ErrorRecord for any exception reaching a cmdlet. No registered secret (<see cref="SecretRegistry"/>)
    /// survives into it: an exception whose message or inner exceptions would show one is replaced by a copy with the
    /// secret masked and without the inner exceptions; the id and category stay those of the original.
    /// </summary>
    public static ErrorRecord ToErrorRecord(Exception exception, object? target, string? errorIdOverride = null)
    {
        var record = Build(Unwrap(exception), target is string text ? SecretRegistry.Redact(text) : target, errorIdOverride);
        if (!SecretRegistry.Reveals(record.Exception)) return record;
        var id = record.FullyQualifiedErrorId;
        var category = record.CategoryInfo.Category;
        Exception clean = record.Exception switch
        {
            DsOps.Engine.Api.DsApiException a => new DsOps.Engine.Api.DsApiException(a.Kind, a.ErrorId, a.Message, a.Endpoint, a.HttpStatus, a.DsCode, a.DsStatusName, a.DsMessage),
            DsOpsException d => new DsOpsException(d.Kind, d.ErrorId, d.Message),
            var other => new DsOpsException(DsErrorKind.InvalidState, id, other.Message),
        };
        return new ErrorRecord(clean, id, category, record.TargetObject);
    }

    private static ErrorRecord Build(Exception ex, object? target, string? errorIdOverride)
    {
        return ex switch
        {
            DsOpsException ds => new ErrorRecord(ds, errorIdOverride ?? ds.ErrorId, CategoryOf(ds.Kind), target),
            OperationCanceledException => new ErrorRecord(ex, errorIdOverride ?? "DsOperationCanceled", ErrorCategory.OperationStopped, target),
            TimeoutException => new ErrorRecord(ex, errorIdOverride ?? "DsTimeout", ErrorCategory.OperationTimeout, target),
            ArgumentException => new ErrorRecord(ex, errorIdOverride ?? "DsInvalidArgument", ErrorCategory.InvalidArgument, target),
            FileNotFoundException or DirectoryNotFoundException => new ErrorRecord(ex, errorIdOverride ?? "DsPathNotFound", ErrorCategory.ObjectNotFound, target),
            UnauthorizedAccessException => new ErrorRecord(ex, errorIdOverride ?? "DsAccessDenied", ErrorCategory.PermissionDenied, target),
            IOException => new ErrorRecord(ex, errorIdOverride ?? "DsIOError", ErrorCategory.ReadError, target),
            HttpRequestException => new ErrorRecord(ex, errorIdOverride ?? "DsServerUnavailable", ErrorCategory.ConnectionError, target),
            // PowerShell's own errors (e.g. a confirmation prompt in a non-interactive host) keep PowerShell's id.
            RuntimeException or PSInvalidOperationException when errorIdOverride is null && ex is IContainsErrorRecord { ErrorRecord: { } own } =>
                new ErrorRecord(own, ex),
            _ => new ErrorRecord(ex, errorIdOverride ?? "DsUnexpectedError", ErrorCategory.NotSpecified, target),
        };
    }

    /// <summary>An ErrorRecord for a problem found by a cmdlet itself (no exception yet).</summary>
    public static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target) =>
        new(new DsOpsException(KindOf(category), errorId, message), errorId, category, target);

    private static DsErrorKind KindOf(ErrorCategory category) => category switch
    {
        ErrorCategory.ObjectNotFound => DsErrorKind.NotFound,
        ErrorCategory.InvalidArgument or ErrorCategory.InvalidData => DsErrorKind.InvalidInput,
        ErrorCategory.AuthenticationError => DsErrorKind.Authentication,
        ErrorCategory.PermissionDenied => DsErrorKind.Permission,
        _ => DsErrorKind.InvalidState,
    };

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        return ex;
    }
}

using System.Net;

namespace DsOps.Engine.Api;

/// <summary>
/// A failed DS API call: carries the HTTP status, DS's numeric code and status name, DS's message
/// and the endpoint (method and path, never the query string, which can hold secrets).
/// </summary>
public sealed class DsApiException : DsOpsException
{
    public DsApiException(DsErrorKind kind, string errorId, string message, string endpoint,
        HttpStatusCode? httpStatus = null, int? dsCode = null, string? dsStatusName = null, string? dsMessage = null,
        Exception? inner = null)
        : base(kind, errorId, message, inner)
    {
        Endpoint = endpoint;
        HttpStatus = httpStatus;
        DsCode = dsCode;
        DsStatusName = dsStatusName;
        DsMessage = dsMessage is null ? null : SecretRegistry.Redact(dsMessage);
    }

    public string Endpoint { get; }
    public HttpStatusCode? HttpStatus { get; }
    public int? DsCode { get; }
    public string? DsStatusName { get; }
    public string? DsMessage { get; }
}

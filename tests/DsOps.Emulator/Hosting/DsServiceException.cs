namespace DsOps.Emulator.Hosting;

/// <summary>
/// A business error a DS service would raise (ServiceException / putMsg): answered as HTTP 200 with
/// the status code and its formatted message. Status is named by code (codes are stable across
/// versions) or by enum name where several names share a code.
/// </summary>
public sealed class DsServiceException : Exception
{
    public DsServiceException(int code, params object?[] args) : base($"DS status {code}")
    {
        Code = code;
        Args = args;
    }

    public DsServiceException(string statusName, params object?[] args) : base($"DS status {statusName}")
    {
        StatusName = statusName;
        Args = args;
    }

    public int? Code { get; }
    public string? StatusName { get; }
    public object?[] Args { get; }
}

/// <summary>A request that breaks the controller's argument binding (missing or malformed parameter):
/// DS's global handler answers it with the route's @ApiException status.</summary>
public sealed class DsBindingException(string message) : Exception(message);

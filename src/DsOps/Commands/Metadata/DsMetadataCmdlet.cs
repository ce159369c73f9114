using System.Management.Automation;
using DsOps.Engine.Metadata;

namespace DsOps.Commands.Metadata;

/// <summary>
/// Base of the cmdlets that read the DS metadata database: the optional -MetadataConnection and the
/// runspace default set by Connect-DsMetadata (a global PSVariable, so runspaces never share it).
/// </summary>
public abstract class DsMetadataCmdlet : DsCmdlet
{
    /// <summary>
    /// <para type="description">The metadata connection to use (from Connect-DsMetadata). Defaults to the connection made last in this session.</para>
    /// </summary>
    [Parameter(HelpMessage = "The metadata connection from Connect-DsMetadata; defaults to the last one made in this session.")]
    public DsMetadataConnection? MetadataConnection { get; set; }

    /// <summary>The explicit connection, else the session default; a terminating error when there is none.</summary>
    protected DsMetadataConnection ResolveMetadataConnection()
    {
        if ((MetadataConnection ?? Infrastructure.SessionDefaults.Metadata.Get(SessionState)) is { } c) return c;
        ThrowDsError("DsMetadataNotConnected", ErrorCategory.ConnectionError,
            "No metadata connection: run Connect-DsMetadata first or pass -MetadataConnection.");
        return null!; // not reached
    }

    /// <summary>A time parameter as an offset: values without a kind are the user's local time.</summary>
    protected static DateTimeOffset LocalOffset(DateTime value) =>
        new(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Local) : value);

    /// <summary>Runs an engine call, turning engine failures into a terminating ErrorRecord.</summary>
    protected T Run<T>(Func<Task<T>> work)
    {
        try
        {
            return Await(work());
        }
        catch (Exception ex) when (ex is not PipelineStoppedException and not PipelineClosedException)
        {
            ThrowDsError(ex);
            return default!;
        }
    }
}

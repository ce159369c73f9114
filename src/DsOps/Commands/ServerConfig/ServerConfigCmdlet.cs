using System.Management.Automation;
using DsOps.Engine.Dialects;
using DsOps.Engine.ServerConfig;

namespace DsOps.Commands.ServerConfig;

/// <summary>Shared by the server-config cmdlets: resolving paths and the -Version text, reading a config.</summary>
public abstract class ServerConfigCmdlet : DsCmdlet
{
    /// <summary>The provider path of a user path (relative paths, ~ and PSDrives resolved).</summary>
    protected string Resolve(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Parses -Version; a terminating DsInvalidVersion error names the parameter.</summary>
    protected DsDialect? ParseVersion(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        try { return DsDialect.Parse(version); }
        catch (Exception ex) when (ex is FormatException or NotSupportedException)
        {
            ThrowDsError("DsInvalidVersion", ErrorCategory.InvalidArgument, $"-Version: {ex.Message}", version);
            return null;
        }
    }

    /// <summary>Reads the config under a path; null after writing a non-terminating error.</summary>
    protected DsServerConfig? ReadConfig(string path, DsDialect? dialect, ServerConfigRole[]? roles, ServerConfigRole? singleRole = null)
    {
        try
        {
            return DsServerConfigReader.Read(Resolve(path), new DsServerConfigReadOptions
            {
                Dialect = dialect,
                Roles = roles is { Length: > 0 } ? roles : null,
                Role = singleRole,
            });
        }
        catch (Exception ex) when (ex is DsOps.Engine.DsOpsException or IOException or UnauthorizedAccessException)
        {
            WriteDsError(ex, path);
            return null;
        }
    }
}

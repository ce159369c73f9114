using System.Management.Automation;
using System.Net;
using System.Security;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Connects to a DolphinScheduler metadata database (MySQL/MariaDB) read-only.</para>
/// <para type="description">Detects the DS version from the schema, checks access and makes the connection the
/// session default for Get-DsRunReport, Get-DsFailedTask and the other metadata cmdlets. Sessions run
/// READ ONLY transactions and DsOps only sends SELECTs. The password is never shown. Only a connection made with
/// -AllowWrite lets the maintenance cmdlets (Remove-DsInstanceHistory, Remove-DsCommand) delete rows.</para>
/// </summary>
/// <example><code>Connect-DsMetadata -Server db01 -Database dolphinscheduler -Credential (Get-Credential) -ServerTimeZone Asia/Shanghai</code><para>Connects with a database account to DS servers that write times in Shanghai time.</para></example>
/// <example><code>Connect-DsMetadata -ConnectionString (Get-Secret ds-metadata) -Name prod</code><para>Connects with a MySQL connection string kept in SecretManagement; it is never shown.</para></example>
[Cmdlet(VerbsCommunications.Connect, "DsMetadata", DefaultParameterSetName = PartsSet)]
[OutputType(typeof(DsMetadataConnection))]
public sealed class ConnectDsMetadataCommand : DsCmdlet
{
    private const string PartsSet = "Server";
    private const string ConnectionStringSet = "ConnectionString";

    /// <summary><para type="description">Host name or address of the MySQL/MariaDB server.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PartsSet, HelpMessage = "Host name or address of the MySQL/MariaDB server.")]
    [ValidateNotNullOrEmpty]
    public string Server { get; set; } = "";

    /// <summary><para type="description">TCP port (default 3306).</para></summary>
    [Parameter(ParameterSetName = PartsSet, HelpMessage = "TCP port of the server (default 3306).")]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 3306;

    /// <summary><para type="description">Database holding DS's tables (default dolphinscheduler).</para></summary>
    [Parameter(ParameterSetName = PartsSet, HelpMessage = "Database holding DS's t_ds_* tables (default dolphinscheduler).")]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "dolphinscheduler";

    /// <summary><para type="description">User name and password; a read-only database account is recommended.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PartsSet, HelpMessage = "User and password for the database (a read-only account is recommended).")]
    [Credential]
    public PSCredential Credential { get; set; } = PSCredential.Empty;

    /// <summary><para type="description">A MySqlConnector connection string, as SecureString or string; it is never echoed.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectionStringSet, HelpMessage = "A MySQL connection string (SecureString or string); never echoed.")]
    [SecureStringTransformation]
    public SecureString? ConnectionString { get; set; }

    /// <summary><para type="description">A label for this connection (default server/database).</para></summary>
    [Parameter(HelpMessage = "A label for this connection (default server/database).")]
    public string? Name { get; set; }

    /// <summary><para type="description">Time zone DS's servers write DATETIMEs in (IANA id; default: this machine's zone).</para></summary>
    [Parameter(HelpMessage = "Time zone the DS servers store times in (IANA id such as Asia/Shanghai); default: local zone.")]
    [TimeZoneCompleter]
    public string? ServerTimeZone { get; set; }

    /// <summary><para type="description">TLS mode. Default VerifyFull (certificate and host name checked) for remote servers;
    /// None, Preferred or Required opt out of verification.</para></summary>
    [Parameter(HelpMessage = "TLS mode: VerifyFull by default for remote servers; None, Preferred or Required opt out of verification.")]
    public DsSslMode SslMode { get; set; }

    /// <summary><para type="description">Lets the maintenance cmdlets (Remove-DsInstanceHistory, Remove-DsCommand) delete rows
    /// through this connection. Without it the connection is read-only and they refuse to run.</para></summary>
    [Parameter(HelpMessage = "Allow the maintenance cmdlets (Remove-DsInstanceHistory, Remove-DsCommand) to delete through this connection.")]
    public SwitchParameter AllowWrite { get; set; }

    // Not given means "the default for this server" (VerifyFull, or None on loopback), not the enum's first value.
    private DsSslMode? RequestedSslMode => MyInvocation.BoundParameters.ContainsKey(nameof(SslMode)) ? SslMode : null;

    protected override void EndProcessing()
    {
        var zone = string.IsNullOrWhiteSpace(ServerTimeZone) ? null : ResolveTimeZone(ServerTimeZone, nameof(ServerTimeZone));
        DsMetadataConnection connection;
        try
        {
            connection = ParameterSetName == ConnectionStringSet
                ? Await(DsMetadataConnection.ConnectAsync(new NetworkCredential("", ConnectionString).Password, Name, zone, RequestedSslMode,
                    CancellationToken, AllowWrite.IsPresent))
                : Await(DsMetadataConnection.ConnectAsync(Server, Port, Database, Credential.UserName,
                    Credential.GetNetworkCredential().Password, Name, zone, RequestedSslMode, CancellationToken, AllowWrite.IsPresent));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, ParameterSetName == ConnectionStringSet ? Name : $"{Server}:{Port}/{Database}");
            return;
        }
        Infrastructure.SessionDefaults.Metadata.Set(SessionState, connection);
        WriteVerbose($"Connected to {connection}.");
        WriteObject(connection);
    }
}

/// <summary>Lets -ConnectionString take a plain string as well as a SecureString.</summary>
internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is string s)
        {
            var secure = new SecureString();
            foreach (var c in s) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
        return value;
    }
}

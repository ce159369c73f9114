using System.Management.Automation;
using System.Security;
using DsOps.Engine.Api;
using DsOps.Engine.Dialects;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Connects to a DolphinScheduler API server and makes it the session's default connection.</para>
/// <para type="description">Authenticates with an access token (sent as the 'token' header) or a user name and password
/// (DS login; the session id is then sent as the 'sessionId' header), detects the server's version (3.0 to 3.4) and
/// chooses the matching route profile. The connection becomes the default for later DsOps commands in this session;
/// every command also takes -Connection. Tokens, passwords and session ids never appear in any output.</para>
/// <example><code>Connect-DsServer -Uri http://ds-api:12345/dolphinscheduler -Token (Get-Secret ds-prod-token)</code><para>Connects with an access token kept in SecretManagement.</para></example>
/// <example><code>$uat = Connect-DsServer -Uri https://ds-uat.example.com -Credential (Get-Credential) -Name uat -SkipCertificateCheck</code><para>Logs in with a user name and password to a server with a self-signed certificate.</para></example>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "DsServer", DefaultParameterSetName = TokenSet)]
[OutputType(typeof(DsConnection))]
public sealed class ConnectDsServerCommand : DsCmdlet
{
    private const string TokenSet = "Token";
    private const string CredentialSet = "Credential";

    /// <summary>The API server's address, e.g. http://ds-api:12345/dolphinscheduler. A bare host gets /dolphinscheduler appended.</summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The DS API server address, e.g. http://ds-api:12345/dolphinscheduler.")]
    [ValidateNotNull]
    public Uri Uri { get; set; } = null!;

    /// <summary>An access token (Security → Token Manager in the DS UI), as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenSet, HelpMessage = "A DS access token as a SecureString (ConvertTo-SecureString), or a PSCredential whose password is the token.")]
    [ValidateNotNull]
    [TokenTransformation]
    public SecureString Token { get; set; } = null!;

    /// <summary>A DS user name and password; DsOps logs in and keeps the session id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet, HelpMessage = "A DS user name and password.")]
    [ValidateNotNull]
    [Credential]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>A name for the connection (default: the server's host name).</summary>
    [Parameter(HelpMessage = "A name for this connection; defaults to the host name.")]
    public string? Name { get; set; }

    /// <summary>Seconds to wait for each request (default 60), counting until the whole answer has arrived, not only its headers.</summary>
    [Parameter(HelpMessage = "Seconds to wait for each request, until its whole answer has arrived.")]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Largest answer accepted from the server, in MB (default 256: six times the 42 MB answer listing 4,000
    /// workflows of 10 tasks). A larger answer, announced or counted while reading, fails with DsResponseTooLarge.</summary>
    [Parameter(HelpMessage = "Largest answer accepted from the server, in MB (default 256).")]
    [ValidateRange(1, 65536)]
    public int MaxResponseSizeMB { get; set; } = (int)(DsHttpOptions.DefaultMaxResponseBytes / (1024 * 1024));

    /// <summary>Do not verify the server's TLS certificate. Use only for servers with self-signed certificates you trust.</summary>
    [Parameter(HelpMessage = "Skip TLS certificate verification (off by default).")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Use this DS version's route profile instead of detecting it, e.g. 3.0, 3.2, 3.2.2, 3.3 or 3.4.1.</summary>
    [Parameter(HelpMessage = "Skip version detection and use this DS version's routes, e.g. 3.2 or 3.3.")]
    [Alias("DsVersion")]
    [DsVersionCompleter]
    public string? Version { get; set; }

    /// <summary>IANA or Windows id of the time zone the API writes dates in (DS's spring.jackson.time-zone; UTC in the shipped config).</summary>
    [Parameter(HelpMessage = "Time zone the DS API writes dates in; UTC unless spring.jackson.time-zone was changed.")]
    [TimeZoneCompleter]
    public string? ServerTimeZone { get; set; }

    /// <summary>Connect without making this the session's default connection.</summary>
    [Parameter(HelpMessage = "Do not make this connection the session default.")]
    public SwitchParameter NoDefault { get; set; }

    protected override void EndProcessing()
    {
        DsDialect? dialect = null;
        if (!string.IsNullOrEmpty(Version))
        {
            try { dialect = DsDialect.Parse(Version); }
            catch (Exception ex) when (ex is FormatException or NotSupportedException)
            {
                ThrowDsError(new ArgumentException($"-Version: {ex.Message}", nameof(Version), ex), Version, "DsInvalidVersion");
            }
        }
        var zone = string.IsNullOrWhiteSpace(ServerTimeZone) ? null : ResolveTimeZone(ServerTimeZone, nameof(ServerTimeZone));

        var options = new DsConnectOptions
        {
            Uri = Uri,
            Token = ParameterSetName == TokenSet ? Token : null,
            Credential = ParameterSetName == CredentialSet ? Credential.GetNetworkCredential() : null,
            Name = Name,
            Dialect = dialect,
            ServerTimeZone = zone,
            Http = new DsHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(TimeoutSec), SkipCertificateCheck = SkipCertificateCheck,
                MaxResponseBytes = MaxResponseSizeMB * 1024L * 1024,
            },
        };
        WriteVerbose($"Connecting to {Uri} ({(ParameterSetName == TokenSet ? "token" : "login as " + Credential.UserName)}).");
        DsConnection connection;
        try
        {
            connection = Await(DsConnection.ConnectAsync(options, CancellationToken));
        }
        catch (Exception ex)
        {
            ThrowDsError(ex, Uri);
            return;
        }
        WriteVerbose($"Connected: {connection.Dialect}.");
        if (!NoDefault) SessionDefaults.Server.Set(SessionState, connection);
        WriteObject(connection);
    }
}

/// <summary>
/// <para type="synopsis">Gets the session's default DS connection.</para>
/// <para type="description">Returns the connection made by the last Connect-DsServer in this session, with its URI,
/// detected version and authentication method. Secrets are never shown.</para>
/// <example runnable="true"><code>Get-DsConnection</code><para>Shows which server later commands will use.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsConnection")]
[OutputType(typeof(DsConnection))]
public sealed class GetDsConnectionCommand : DsCmdlet
{
    protected override void EndProcessing()
    {
        if (SessionDefaults.Server.Get(SessionState) is { } c) WriteObject(c);
    }
}

/// <summary>
/// <para type="synopsis">Closes a DS connection and clears the session default.</para>
/// <para type="description">Disposes the connection's HTTP pipeline. Without -Connection it closes the session's
/// default connection. DS sessions made by a password login expire on the server after two hours of inactivity.</para>
/// <example><code>Disconnect-DsServer</code><para>Forgets the default connection.</para></example>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "DsServer", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class DisconnectDsServerCommand : DsCmdlet
{
    /// <summary>The connection to close; defaults to the session's default connection.</summary>
    [Parameter(ValueFromPipeline = true, HelpMessage = "The connection to close; defaults to the session default.")]
    public DsConnection? Connection { get; set; }

    protected override void ProcessRecord()
    {
        var current = SessionDefaults.Server.Get(SessionState);
        var target = Connection ?? current;
        if (target is null) return;
        if (!ShouldProcess(target.ToString(), "Disconnect")) return;
        if (ReferenceEquals(target, current)) SessionDefaults.Server.Set(SessionState, null);
        target.Dispose();
    }
}

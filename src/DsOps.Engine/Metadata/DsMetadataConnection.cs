using System.Data.Common;
using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Engine.Metadata;

/// <summary>
/// A read-only connection to a DS metadata database: where it is, who connects, which DS version
/// the schema is. The password lives only inside a private MySqlConnector builder; it is never
/// exposed by a property, ToString or error message. Every session it opens runs
/// <c>SET SESSION TRANSACTION READ ONLY</c>, and <see cref="DsMetadataSession"/> only runs SELECTs.
/// </summary>
public sealed class DsMetadataConnection
{
    private readonly MySqlConnectionStringBuilder _builder;

    private DsMetadataConnection(MySqlConnectionStringBuilder builder, string name, DsDialect dialect, TimeZoneInfo serverTimeZone)
    {
        _builder = builder;
        Name = name;
        Dialect = dialect;
        ServerTimeZone = serverTimeZone;
    }

    /// <summary>Label the user chose (defaults to server/database).</summary>
    public string Name { get; }
    public string Server => _builder.Server;
    public int Port => (int)_builder.Port;
    public string Database => _builder.Database;
    public string User => _builder.UserID;

    /// <summary>The DS version detected from the schema.</summary>
    public DsDialect Dialect { get; }

    /// <summary>
    /// Time zone of the DATETIME values DS stores. DS writes server-local wall-clock times
    /// (the JVM's default zone of the API/master servers) without an offset; DsOps assumes they are in this zone.
    /// </summary>
    public TimeZoneInfo ServerTimeZone { get; }

    /// <summary>Counts of closed days reused by run reports (see <see cref="ClosedDayCache"/>).</summary>
    public ClosedDayCache ClosedDays { get; } = new();

    /// <summary>Always true: DsOps never writes to the metadata database.</summary>
    public bool ReadOnly => true;

    /// <summary>
    /// Builds a connection from a MySqlConnector connection string, opens it once to check access and
    /// detect the DS version. Errors name the server and database, never the password.
    /// </summary>
    public static async Task<DsMetadataConnection> ConnectAsync(string connectionString, string? name = null,
        TimeZoneInfo? serverTimeZone = null, DsSslMode? sslMode = null, CancellationToken cancellationToken = default)
    {
        MySqlConnectionStringBuilder builder;
        try
        {
            builder = new MySqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of the parser may quote the offending fragment; do not pass it on.
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsMetadataBadConnectionString",
                "The metadata connection string is not valid for MySQL/MariaDB (" + ex.GetType().Name + ").");
        }
        if (sslMode is not null || !builder.ContainsKey("SslMode")) builder.SslMode = EffectiveSslMode(builder.Server, sslMode);
        return await ConnectAsync(builder, name, serverTimeZone, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// TLS is verified (VerifyFull) unless the user opts out with an explicit mode; loopback servers need no TLS.
    /// </summary>
    public static MySqlSslMode EffectiveSslMode(string server, DsSslMode? requested) => requested switch
    {
        null => IsLoopback(server) ? MySqlSslMode.None : MySqlSslMode.VerifyFull,
        DsSslMode.None => MySqlSslMode.None,
        DsSslMode.Preferred => MySqlSslMode.Preferred,
        DsSslMode.Required => MySqlSslMode.Required,
        DsSslMode.VerifyCA => MySqlSslMode.VerifyCA,
        DsSslMode.VerifyFull => MySqlSslMode.VerifyFull,
        _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Not a TLS mode."),
    };

    private static bool IsLoopback(string server) => server is "127.0.0.1" or "localhost" or "::1";

    /// <summary>Builds a connection from parts; the password is copied into the private builder only.</summary>
    public static Task<DsMetadataConnection> ConnectAsync(string server, int port, string database, string user,
        string? password, string? name = null, TimeZoneInfo? serverTimeZone = null, DsSslMode? sslMode = null,
        CancellationToken cancellationToken = default)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = server, Port = (uint)port, Database = database, UserID = user, Password = password ?? "",
            SslMode = EffectiveSslMode(server, sslMode),
        };
        return ConnectAsync(builder, name, serverTimeZone, cancellationToken);
    }

    private static async Task<DsMetadataConnection> ConnectAsync(MySqlConnectionStringBuilder builder, string? name,
        TimeZoneInfo? serverTimeZone, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(builder.Server))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsMetadataNoServer", "The metadata connection names no server.");
        if (string.IsNullOrWhiteSpace(builder.Database))
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsMetadataNoDatabase", "The metadata connection names no database.");
        builder.PersistSecurityInfo = false; // MySqlConnection.ConnectionString then omits the password
        builder.AllowUserVariables = false;
        builder.AllowLoadLocalInfile = false;
        builder.ConnectionReset = true;       // sessions from the pool start clean, then get READ ONLY again
        if (builder.ConnectionTimeout == 15) builder.ConnectionTimeout = 10;
        if (builder.DefaultCommandTimeout == 30) builder.DefaultCommandTimeout = 120;

        var provisional = new DsMetadataConnection(builder, name ?? "", DsDialect.V3_0, serverTimeZone ?? TimeZoneInfo.Local);
        DsDialect dialect;
        await using (var session = await provisional.OpenSessionAsync(cancellationToken).ConfigureAwait(false))
            dialect = await SchemaDetector.DetectAsync(session, cancellationToken).ConfigureAwait(false);
        var label = string.IsNullOrWhiteSpace(name) ? $"{builder.Server}/{builder.Database}" : name!;
        return new DsMetadataConnection(builder, label, dialect, serverTimeZone ?? TimeZoneInfo.Local);
    }

    /// <summary>Opens a read-only session (a pooled MySQL connection with READ ONLY transactions).</summary>
    public async Task<DsMetadataSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new MySqlConnection(_builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var cmd = new MySqlCommand("SET SESSION TRANSACTION READ ONLY", connection))
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new DsMetadataSession(connection, this);
        }
        catch (Exception ex) when (ex is MySqlException or DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw DsMetadataSession.Wrap(ex, $"connect to metadata database '{Database}' on {Server}:{Port} as '{User}'", _builder.Password);
        }
    }

    /// <summary>How TLS is used: VerifyFull unless the user opted out.</summary>
    public string SslMode => _builder.SslMode.ToString();

    /// <summary>Closes the pooled sessions of this connection.</summary>
    public async Task DisconnectAsync()
    {
        await using var connection = new MySqlConnection(_builder.ConnectionString);
        await MySqlConnection.ClearPoolAsync(connection).ConfigureAwait(false);
    }

    public override string ToString() => $"{Name} ({User}@{Server}:{Port}/{Database}, {Dialect}, read-only)";
}

/// <summary>
/// TLS for the metadata connection: DsOps's own type, so the cmdlets' parameters and help name no driver type and the
/// driver loads only when a metadata connection is made.
/// </summary>
public enum DsSslMode
{
    /// <summary>No TLS.</summary>
    None,
    /// <summary>TLS if the server offers it, not verified.</summary>
    Preferred,
    /// <summary>TLS required, certificate not verified.</summary>
    Required,
    /// <summary>TLS with the certificate chain verified.</summary>
    VerifyCA,
    /// <summary>TLS with the certificate chain and host name verified (the default for remote servers).</summary>
    VerifyFull,
}

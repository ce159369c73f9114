using System.Data.Common;
using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Engine.Metadata;

/// <summary>
/// A connection to a DS metadata database: where it is, who connects, which DS version the schema is. The password
/// lives only inside a private MySqlConnector builder; it is never exposed by a property, ToString or error message.
/// Every session it opens for reading runs <c>SET SESSION TRANSACTION READ ONLY</c>, and <see cref="DsMetadataSession"/>
/// only runs SELECTs. Writes (history cleanup, removing stuck commands) go through <see cref="OpenMaintenanceConnectionAsync"/>,
/// which only a connection made with <c>allowWrite</c> opens.
/// </summary>
public sealed class DsMetadataConnection
{
    private readonly MySqlConnectionStringBuilder _builder;

    private readonly bool _allowWrite;

    private DsMetadataConnection(MySqlConnectionStringBuilder builder, string name, DsDialect dialect, TimeZoneInfo serverTimeZone,
        bool allowWrite = false)
    {
        _builder = builder;
        _allowWrite = allowWrite;
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
    internal ClosedDayCache ClosedDays { get; } = new();

    /// <summary>True unless the connection was made with <c>allowWrite</c> (Connect-DsMetadata -AllowWrite): only then do
    /// the maintenance commands (history cleanup, removing commands) write, and nothing else ever does.</summary>
    public bool ReadOnly => !_allowWrite;

    /// <summary>
    /// Builds a connection from a MySqlConnector connection string, opens it once to check access and
    /// detect the DS version. Errors name the server and database, never the password.
    /// </summary>
    public static async Task<DsMetadataConnection> ConnectAsync(string connectionString, string? name = null,
        TimeZoneInfo? serverTimeZone = null, DsSslMode? sslMode = null, CancellationToken cancellationToken = default,
        bool allowWrite = false)
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
        return await ConnectAsync(builder, name, serverTimeZone, allowWrite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// TLS is verified (VerifyFull) unless the user opts out with an explicit mode; loopback servers need no TLS.
    /// </summary>
    internal static MySqlSslMode EffectiveSslMode(string server, DsSslMode? requested) => requested switch
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
        CancellationToken cancellationToken = default, bool allowWrite = false)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = server, Port = (uint)port, Database = database, UserID = user, Password = password ?? "",
            SslMode = EffectiveSslMode(server, sslMode),
        };
        return ConnectAsync(builder, name, serverTimeZone, allowWrite, cancellationToken);
    }

    private static async Task<DsMetadataConnection> ConnectAsync(MySqlConnectionStringBuilder builder, string? name,
        TimeZoneInfo? serverTimeZone, bool allowWrite, CancellationToken cancellationToken)
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
        return new DsMetadataConnection(builder, label, dialect, serverTimeZone ?? TimeZoneInfo.Local, allowWrite);
    }

    /// <summary>Opens a read-only session (a pooled MySQL connection with READ ONLY transactions).</summary>
    internal async Task<DsMetadataSession> OpenSessionAsync(CancellationToken cancellationToken = default) =>
        new(await OpenReadOnlyConnectionAsync(cancellationToken).ConfigureAwait(false), this);

    /// <summary>A pooled MySQL connection whose transactions are READ ONLY (the server refuses any write on it).</summary>
    internal async Task<MySqlConnection> OpenReadOnlyConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(_builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var cmd = new MySqlCommand("SET SESSION TRANSACTION READ ONLY", connection))
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is MySqlException or DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw DsMetadataSession.Wrap(ex, $"connect to metadata database '{Database}' on {Server}:{Port} as '{User}'", _builder.Password);
        }
    }

    /// <summary>
    /// A plain read-write connection for the maintenance commands; refused unless this connection was made with
    /// allowWrite. Errors name the server and database, never the password.
    /// </summary>
    internal async Task<MySqlConnection> OpenMaintenanceConnectionAsync(string operation, CancellationToken cancellationToken)
    {
        if (!_allowWrite)
            throw new DsOpsException(DsErrorKind.InvalidState, "DsMetadataReadOnly",
                $"Cannot {operation}: the metadata connection '{Name}' is read-only. Connect with Connect-DsMetadata -AllowWrite " +
                "(an account that may DELETE on the t_ds_* tables) to run maintenance commands.");
        var connection = new MySqlConnection(_builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
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

    public override string ToString() => $"{Name} ({User}@{Server}:{Port}/{Database}, {Dialect}, {(ReadOnly ? "read-only" : "read-write")})";
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

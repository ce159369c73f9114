using System.Data.Common;
using MySqlConnector;

namespace DsOps.Engine.Metadata;

/// <summary>
/// One open read-only session on the metadata database. It runs parameterized SELECT (and EXPLAIN
/// SELECT) statements only; anything else is refused before it reaches the server, and the server
/// refuses writes too because the session is READ ONLY.
/// </summary>
internal sealed class DsMetadataSession : IAsyncDisposable
{
    private readonly MySqlConnection _connection;

    internal DsMetadataSession(MySqlConnection connection, DsMetadataConnection owner)
    {
        _connection = connection;
        Owner = owner;
    }

    public DsMetadataConnection Owner { get; }

    /// <summary>Runs a SELECT and maps each row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, IReadOnlyDictionary<string, object?>? parameters,
        Func<DbDataReader, T> map, CancellationToken cancellationToken = default)
    {
        EnsureSelect(sql);
        return await QueryCoreAsync(sql, parameters, map, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<T>> QueryCoreAsync<T>(string sql, IReadOnlyDictionary<string, object?>? parameters,
        Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        try
        {
            await using var cmd = Command(sql, parameters);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                result.Add(map(reader));
            return result;
        }
        catch (Exception ex) when (ex is MySqlException or DbException)
        {
            throw Wrap(ex, "query the metadata database");
        }
    }

    /// <summary>EXPLAIN of a SELECT: one row per table access with the index MariaDB/MySQL chose.</summary>
    public Task<List<ExplainRow>> ExplainAsync(string sql, IReadOnlyDictionary<string, object?>? parameters,
        CancellationToken cancellationToken = default)
    {
        EnsureSelect(sql);
        return QueryCoreAsync("EXPLAIN " + sql, parameters, r => new ExplainRow(
            Str(r, "table"), Str(r, "type"), Str(r, "possible_keys"), Str(r, "key"),
            r["rows"] is DBNull ? null : Convert.ToInt64(r["rows"]), Str(r, "Extra")), cancellationToken);

        static string? Str(DbDataReader r, string column) => r[column] is DBNull or null ? null : Convert.ToString(r[column]);
    }

    /// <summary>
    /// Runs any statement on the read-only session. Only for proving read-only enforcement in tests
    /// and diagnostics: the server rejects writes because the session is READ ONLY.
    /// </summary>
    internal async Task<int> ExecuteUncheckedAsync(string sql, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = new MySqlCommand(sql, _connection);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MySqlException or DbException)
        {
            throw Wrap(ex, "run a statement on the metadata database");
        }
    }

    private MySqlCommand Command(string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var cmd = new MySqlCommand(sql, _connection);
        if (parameters is not null)
            foreach (var (name, value) in parameters)
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    /// <summary>DsOps only reads: statements must start with SELECT (or WITH … SELECT).</summary>
    internal static void EnsureSelect(string sql)
    {
        var s = sql.AsSpan().TrimStart();
        if (s.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || s.StartsWith("WITH", StringComparison.OrdinalIgnoreCase))
        {
            if (!sql.Contains(';')) return;
        }
        throw new DsOpsException(DsErrorKind.InvalidState, "DsMetadataWriteRefused",
            "DsOps only runs single SELECT statements on the metadata database; the statement was refused.");
    }

    internal static DsOpsException Wrap(Exception ex, string action, string? secret = null)
    {
        var message = ex.Message;
        if (!string.IsNullOrEmpty(secret)) message = message.Replace(secret, "***", StringComparison.Ordinal);
        var kind = ex is MySqlException { ErrorCode: MySqlErrorCode.AccessDenied or MySqlErrorCode.DatabaseAccessDenied }
            ? DsErrorKind.Authentication
            : ex is MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost } ? DsErrorKind.Unavailable
            : DsErrorKind.Database;
        var id = kind switch
        {
            DsErrorKind.Authentication => "DsMetadataAccessDenied",
            DsErrorKind.Unavailable => "DsMetadataUnavailable",
            _ => "DsMetadataQueryFailed",
        };
        // The inner exception is not attached: MySqlConnector exceptions can carry connection details.
        return new DsOpsException(kind, id, $"Could not {action}: {message}");
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>One row of EXPLAIN output: which index the server uses for a table.</summary>
internal sealed record ExplainRow(string? Table, string? AccessType, string? PossibleKeys, string? Key, long? Rows, string? Extra);

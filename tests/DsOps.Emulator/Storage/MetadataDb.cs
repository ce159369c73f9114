using System.Data.Common;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using DsOps.Engine.Dialects;
using MySqlConnector;

namespace DsOps.Emulator.Storage;

/// <summary>One result row: column name (as in the physical table) → value (DBNull becomes null).</summary>
public sealed class Row : Dictionary<string, object?>
{
    public Row() : base(StringComparer.OrdinalIgnoreCase) { }

    public long Long(string col) => this[Col(col)] is { } v ? Convert.ToInt64(v) : 0;
    public int Int(string col) => this[Col(col)] is { } v ? Convert.ToInt32(v) : 0;
    public int? IntOrNull(string col) => TryGetValue(Col(col), out var v) && v is not null ? Convert.ToInt32(v) : null;
    public string? Str(string col) => TryGetValue(Col(col), out var v) ? v?.ToString() : null;
    public DateTime? Date(string col) => TryGetValue(Col(col), out var v) && v is DateTime d ? d : null;
    public bool Has(string col) => ContainsKey(Col(col));

    // Rows read from 3.3 tables carry workflow_* names; callers may ask with the ≤3.2 names.
    private string Col(string col) => ContainsKey(col) ? col : MetadataDb.ToWorkflowNaming(col);
}

/// <summary>
/// Access to DS's metadata tables. SQL is written once with the ≤3.2 names (t_ds_process_*, process_*);
/// for 3.3 schemas the names are translated to DS's 3.3.0 renames (docs/ds-facts.md §5.1). Inserts only
/// write columns the loaded DDL actually has (tenant_id ≤3.1, tenant_code/project_code 3.2+, test_flag …),
/// so one insert statement serves every dialect. All values are parameters, never spliced into SQL.
/// </summary>
public sealed class MetadataDb
{
    private static readonly (Regex Pattern, string Replacement)[] Renames =
    {
        (new Regex(@"process_definition", RegexOptions.Compiled), "workflow_definition"),
        (new Regex(@"process_instance", RegexOptions.Compiled), "workflow_instance"),
        (new Regex(@"process_task_relation", RegexOptions.Compiled), "workflow_task_relation"),
        (new Regex(@"is_sub_process", RegexOptions.Compiled), "is_sub_workflow"),
    };

    private readonly Dictionary<string, HashSet<string>> _columns = new(StringComparer.OrdinalIgnoreCase);
    private long _writes;

    private MetadataDb(string connectionString, DsDialect dialect)
    {
        ConnectionString = connectionString;
        Dialect = dialect;
    }

    public string ConnectionString { get; }
    public DsDialect Dialect { get; }
    public bool WorkflowNaming => Dialect.UsesWorkflowNaming;

    /// <summary>Total write statements executed (INSERT/UPDATE/DELETE).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Set per request by the host so a request's writes can be counted.</summary>
    public static readonly AsyncLocal<StrongBox<bool>?> CurrentRequestWrote = new();

    public static string ToWorkflowNaming(string name)
    {
        foreach (var (p, r) in Renames) name = p.Replace(name, r);
        return name;
    }

    public static async Task<MetadataDb> OpenAsync(string connectionString, DsDialect dialect, CancellationToken ct = default)
    {
        var db = new MetadataDb(connectionString, dialect);
        await using var conn = await db.ConnectAsync(ct).ConfigureAwait(false);
        await using var cmd = new MySqlCommand(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var t = r.GetString(0);
            if (!db._columns.TryGetValue(t, out var set)) db._columns[t] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            set.Add(r.GetString(1));
        }
        if (!db._columns.ContainsKey(db.Table("t_ds_process_definition")))
            throw new InvalidOperationException(
                $"The database has no {db.Table("t_ds_process_definition")} table: load the DS {dialect.Family} schema first " +
                "(tests/third_party/dolphinscheduler/schema/dolphinscheduler_mysql_<ver>.sql) or let the emulator create the database.");
        return db;
    }

    public string Sql(string sql) => WorkflowNaming ? ToWorkflowNaming(sql) : sql;
    public string Table(string logical) => Sql(logical);
    public bool HasColumn(string logicalTable, string logicalColumn) =>
        _columns.TryGetValue(Table(logicalTable), out var set) && set.Contains(Sql(logicalColumn));
    public bool HasTable(string logicalTable) => _columns.ContainsKey(Table(logicalTable));

    public async Task<MySqlConnection> ConnectAsync(CancellationToken ct = default)
    {
        var conn = new MySqlConnection(ConnectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        return conn;
    }

    private MySqlCommand Command(MySqlConnection conn, MySqlTransaction? tx, string sql, object? args)
    {
        var cmd = new MySqlCommand(Sql(sql), conn, tx);
        if (args is IEnumerable<KeyValuePair<string, object?>> dict)
            foreach (var kv in dict) cmd.Parameters.AddWithValue("@" + kv.Key, kv.Value ?? DBNull.Value);
        else if (args is not null)
            foreach (var p in args.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                cmd.Parameters.AddWithValue("@" + p.Name, p.GetValue(args) ?? DBNull.Value);
        return cmd;
    }

    public async Task<List<Row>> QueryAsync(string sql, object? args = null, MySqlConnection? conn = null, MySqlTransaction? tx = null)
    {
        var own = conn is null;
        conn ??= await ConnectAsync().ConfigureAwait(false);
        try
        {
            await using var cmd = Command(conn, tx, sql, args);
            await using var r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            var rows = new List<Row>();
            while (await r.ReadAsync().ConfigureAwait(false))
            {
                var row = new Row();
                for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
                rows.Add(row);
            }
            return rows;
        }
        finally
        {
            if (own) await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<Row?> QuerySingleAsync(string sql, object? args = null, MySqlConnection? conn = null, MySqlTransaction? tx = null) =>
        (await QueryAsync(sql, args, conn, tx).ConfigureAwait(false)).FirstOrDefault();

    public async Task<long> ScalarAsync(string sql, object? args = null, MySqlConnection? conn = null, MySqlTransaction? tx = null)
    {
        var own = conn is null;
        conn ??= await ConnectAsync().ConfigureAwait(false);
        try
        {
            await using var cmd = Command(conn, tx, sql, args);
            var v = await cmd.ExecuteScalarAsync().ConfigureAwait(false);
            return v is null or DBNull ? 0 : Convert.ToInt64(v);
        }
        finally
        {
            if (own) await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<int> ExecAsync(string sql, object? args = null, MySqlConnection? conn = null, MySqlTransaction? tx = null)
    {
        var own = conn is null;
        conn ??= await ConnectAsync().ConfigureAwait(false);
        try
        {
            await using var cmd = Command(conn, tx, sql, args);
            var n = await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            NoteWrite();
            return n;
        }
        finally
        {
            if (own) await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void NoteWrite()
    {
        Interlocked.Increment(ref _writes);
        if (CurrentRequestWrote.Value is { } box) box.Value = true;
    }

    /// <summary>
    /// One multi-row INSERT for <paramref name="rows"/> (all with the same keys, ≤3.2 column names).
    /// Columns the table lacks in this schema version are skipped. Returns LAST_INSERT_ID() (first new id).
    /// </summary>
    public async Task<long> InsertAsync(MySqlConnection conn, MySqlTransaction? tx, string logicalTable, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count == 0) return 0;
        var table = Table(logicalTable);
        if (!_columns.TryGetValue(table, out var existing))
            throw new InvalidOperationException($"Table {table} does not exist in this DS schema.");
        var cols = rows[0].Keys.Where(k => existing.Contains(Sql(k))).ToList();
        var sb = new StringBuilder("INSERT INTO `").Append(table).Append("` (")
            .Append(string.Join(", ", cols.Select(c => "`" + Sql(c) + "`"))).Append(") VALUES ");
        await using var cmd = new MySqlCommand { Connection = conn, Transaction = tx };
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append('(');
            for (var j = 0; j < cols.Count; j++)
            {
                if (j > 0) sb.Append(", ");
                var name = "@p" + i + "_" + j;
                sb.Append(name);
                cmd.Parameters.AddWithValue(name, rows[i][cols[j]] ?? DBNull.Value);
            }
            sb.Append(')');
        }
        cmd.CommandText = sb.ToString();
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        NoteWrite();
        return cmd.LastInsertedId;
    }

    public Task<long> InsertAsync(MySqlConnection conn, MySqlTransaction? tx, string logicalTable, IReadOnlyDictionary<string, object?> row) =>
        InsertAsync(conn, tx, logicalTable, new[] { row });

    public async Task<long> InsertAsync(string logicalTable, IReadOnlyDictionary<string, object?> row)
    {
        await using var conn = await ConnectAsync().ConfigureAwait(false);
        return await InsertAsync(conn, null, logicalTable, row).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction (every API write is all-or-nothing).</summary>
    public async Task<T> InTransactionAsync<T>(Func<MySqlConnection, MySqlTransaction, Task<T>> work)
    {
        await using var conn = await ConnectAsync().ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync().ConfigureAwait(false);
        try
        {
            var result = await work(conn, tx).ConfigureAwait(false);
            await tx.CommitAsync().ConfigureAwait(false);
            return result;
        }
        catch
        {
            await tx.RollbackAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task InTransactionAsync(Func<MySqlConnection, MySqlTransaction, Task> work) =>
        InTransactionAsync<bool>(async (c, t) => { await work(c, t).ConfigureAwait(false); return true; });
}

public sealed class StrongBox<T>(T value)
{
    public T Value = value;
}

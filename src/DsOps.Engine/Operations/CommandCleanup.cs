using System.Data.Common;
using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;
using MySqlConnector;

namespace DsOps.Engine.Operations;

/// <summary>Which queued commands to remove; every given filter must match.</summary>
public sealed record CommandSelection
{
    /// <summary>Command ids (t_ds_command.id).</summary>
    public IReadOnlyCollection<long>? Ids { get; init; }
    /// <summary>Commands created (start_time) before this moment.</summary>
    public DateTimeOffset? OlderThan { get; init; }
    public IReadOnlyCollection<long>? WorkflowCodes { get; init; }
    /// <summary>DS command type names (START_PROCESS, COMPLEMENT_DATA, ...), as this version names them.</summary>
    public IReadOnlyCollection<string>? CommandTypes { get; init; }

    public bool IsEmpty => Ids is not { Count: > 0 } && OlderThan is null && WorkflowCodes is not { Count: > 0 } && CommandTypes is not { Count: > 0 };
}

/// <summary>A queued command as stored in t_ds_command.</summary>
public sealed record DsQueuedCommand(long Id, string CommandType, long WorkflowCode, long WorkflowInstanceId, DateTime? StartTime,
    string? WorkerGroup, bool Removed)
{
    public TimeSpan? Age(DateTime serverNow) => StartTime is { } t ? serverNow - t : null;
}

/// <summary>
/// Removes commands that sit in t_ds_command (stuck, or a backfill flood that must not run), together with the trigger
/// relations that point at them (3.2.x), in one transaction. DS's masters take commands from that table, so a removed
/// command never runs; nothing else refers to a queued command (docs/operations.md, "Removing commands").
/// </summary>
internal static class CommandCleanup
{
    /// <summary>The commands the selection matches (nothing is removed).</summary>
    public static async Task<IReadOnlyList<DsQueuedCommand>> FindAsync(DsMetadataConnection connection, CommandSelection selection,
        CancellationToken cancellationToken = default)
    {
        await using var db = await connection.OpenReadOnlyConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SelectAsync(db, null, connection, selection, removed: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MySqlException or DbException)
        {
            throw DsMetadataSession.Wrap(ex, "read the command queue");
        }
    }

    /// <summary>Removes the matching commands (and their trigger relations) in one transaction; returns what was removed.</summary>
    public static async Task<IReadOnlyList<DsQueuedCommand>> RemoveAsync(DsMetadataConnection connection, CommandSelection selection,
        CancellationToken cancellationToken = default)
    {
        await using var db = await connection.OpenMaintenanceConnectionAsync("remove commands", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var tx = await db.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Lock the rows first: a master that took one meanwhile has deleted it, and it is then simply not removed here.
            var commands = await SelectAsync(db, tx, connection, selection, removed: true, cancellationToken, forUpdate: true).ConfigureAwait(false);
            if (commands.Count == 0) return commands;
            var d = connection.Dialect;
            var p = new Dictionary<string, object?>();
            var ids = SqlText.In(p, "c", commands.Select(c => c.Id));
            if (await HasTableAsync(db, tx, d.TriggerRelationTable, cancellationToken).ConfigureAwait(false))
                await ExecuteAsync(db, tx, $"DELETE FROM {d.TriggerRelationTable} WHERE trigger_type = {DsDialect.TriggerTypeCommand} AND job_id IN ({ids})",
                    p, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(db, tx, $"DELETE FROM {d.CommandTable} WHERE id IN ({ids})", p, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return commands;
        }
        catch (Exception ex) when (ex is MySqlException or DbException)
        {
            throw DsMetadataSession.Wrap(ex, "remove commands");
        }
    }

    private static async Task<List<DsQueuedCommand>> SelectAsync(MySqlConnection db, MySqlTransaction? tx, DsMetadataConnection connection,
        CommandSelection selection, bool removed, CancellationToken ct, bool forUpdate = false)
    {
        if (selection.IsEmpty)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsCommandSelectionEmpty",
                "Name the commands to remove: -Id, -OlderThan, -WorkflowCode or -CommandType (removing the whole queue needs at least one filter).");
        var d = connection.Dialect;
        var p = new Dictionary<string, object?>();
        var where = new List<string>();
        if (selection.Ids is { Count: > 0 } ids) where.Add($"id IN ({SqlText.In(p, "i", ids)})");
        if (selection.OlderThan is { } older)
        {
            p["@before"] = TimeZoneInfo.ConvertTime(older, connection.ServerTimeZone).DateTime;
            where.Add("start_time < @before");
        }
        if (selection.WorkflowCodes is { Count: > 0 } codes) where.Add($"{d.WorkflowCodeColumn} IN ({SqlText.In(p, "w", codes)})");
        if (selection.CommandTypes is { Count: > 0 } types)
        {
            var codesOfTypes = new List<int>();
            foreach (var name in types)
            {
                var code = Enumerable.Range(0, 20).Where(c => string.Equals(d.CommandTypeName(c), name, StringComparison.OrdinalIgnoreCase)).Cast<int?>().FirstOrDefault();
                codesOfTypes.Add(code ?? throw new DsOpsException(DsErrorKind.InvalidInput, "DsUnknownCommandType",
                    $"-CommandType: '{name}' is not a DS {d} command type (e.g. START_PROCESS, COMPLEMENT_DATA, SCHEDULER, REPEAT_RUNNING)."));
            }
            where.Add($"command_type IN ({SqlText.In(p, "t", codesOfTypes)})");
        }
        var sql = $"SELECT id, command_type, {d.WorkflowCodeColumn}, {d.WorkflowInstanceIdColumn}, start_time, worker_group FROM {d.CommandTable}" +
                  $" WHERE {string.Join(" AND ", where)} ORDER BY id" + (forUpdate ? " FOR UPDATE" : "");
        var list = new List<DsQueuedCommand>();
        await using var cmd = new MySqlCommand(sql, db, tx);
        foreach (var (name, value) in p) cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new DsQueuedCommand(
                Convert.ToInt64(reader.GetValue(0)),
                d.CommandTypeName(reader.IsDBNull(1) ? -1 : Convert.ToInt32(reader.GetValue(1))),
                reader.IsDBNull(2) ? 0 : Convert.ToInt64(reader.GetValue(2)),
                reader.IsDBNull(3) ? 0 : Convert.ToInt64(reader.GetValue(3)),
                reader.IsDBNull(4) ? null : reader.GetDateTime(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                removed));
        }
        return list;
    }

    private static async Task<bool> HasTableAsync(MySqlConnection db, MySqlTransaction tx, string table, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = @t", db, tx);
        cmd.Parameters.AddWithValue("@t", table);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false)) > 0;
    }

    private static async Task ExecuteAsync(MySqlConnection db, MySqlTransaction tx, string sql, Dictionary<string, object?> p, CancellationToken ct)
    {
        await using var cmd = new MySqlCommand(sql, db, tx);
        foreach (var (name, value) in p) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}

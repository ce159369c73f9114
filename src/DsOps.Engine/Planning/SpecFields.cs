using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DsOps.Engine.Specs.Model;

namespace DsOps.Engine.Planning;

/// <summary>
/// The compared fields of workflows and tasks: an equality test that does not allocate (the no-change
/// path of a plan over 40,000 tasks must be cheap) and a display form used only for changed fields
/// and fingerprints. Null and "" are the same value. Names, locations and ScriptFile are not content.
/// </summary>
internal static class SpecFields
{
    public sealed class Field<T>
    {
        public Field(string name, Func<T, T, bool> equal, Func<T, string?> show)
        {
            Name = name;
            Equal = equal;
            Show = show;
        }

        public string Name { get; }
        public Func<T, T, bool> Equal { get; }
        public Func<T, string?> Show { get; }
    }

    private static bool S(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);
    private static bool L(ImmutableArray<string> a, ImmutableArray<string> b) => a.AsSpan().SequenceEqual(b.AsSpan());
    private static string? I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string? Join(ImmutableArray<string> a) => a.Length == 0 ? null : string.Join(", ", a);

    private static bool P(ImmutableArray<ParameterSpec> a, ImmutableArray<ParameterSpec> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (a[i].Name != b[i].Name || a[i].Value != b[i].Value || a[i].Type != b[i].Type || a[i].Direction != b[i].Direction) return false;
        return true;
    }

    private static string? ShowParams(ImmutableArray<ParameterSpec> ps) => ps.Length == 0 ? null :
        string.Join("; ", ps.Select(p => $"{p.Name}={SecretRedactor.RedactValue(p.Name, p.Value)}" + (p.Type != "VARCHAR" || p.Direction != "IN" ? $" ({p.Type} {p.Direction})" : "")));

    private static string? ShowRecord<T>(T? r) where T : class => r is null ? null : Documents(r);

    private static string Documents<T>(T r) => r switch
    {
        DependenceSpec d => $"{d.Relation}: " + string.Join(" | ", d.Groups.Select(g => g.Relation + "(" + string.Join(", ", g.Items.Select(i => $"{i.Project}/{i.Workflow}/{i.Task ?? "*"} {i.Cycle} {i.DateValue}")) + ")"))
                            + (d.CheckInterval is { } c ? $" checkInterval={c}" : "") + (d.FailurePolicy is { } f ? $" failurePolicy={f}" : "") + (d.FailureWaitingTime is { } w ? $" failureWaitingTime={w}" : ""),
        ConditionsSpec c => $"{c.Relation}: " + string.Join(" | ", c.Groups.Select(g => g.Relation + "(" + string.Join(", ", g.Items.Select(i => $"{i.Task}={i.Status}")) + ")"))
                            + $"; success: {string.Join(", ", c.SuccessTasks)}; failed: {string.Join(", ", c.FailedTasks)}",
        SwitchSpec s => string.Join("; ", s.Branches.Select(b => $"{b.Condition} -> {b.Task}")) + $"; default -> {s.Default ?? "(none)"}",
        _ => r!.ToString()!,
    };

    private static bool Dep(DependenceSpec? a, DependenceSpec? b) => ReferenceEquals(a, b) || (a is not null && b is not null && Documents(a) == Documents(b));
    private static bool Cond(ConditionsSpec? a, ConditionsSpec? b) => ReferenceEquals(a, b) || (a is not null && b is not null && Documents(a) == Documents(b));
    private static bool Sw(SwitchSpec? a, SwitchSpec? b) => ReferenceEquals(a, b) || (a is not null && b is not null && Documents(a) == Documents(b));

    /// <summary>The strategy DS gets: WARN by default when a timeout is set, nothing without a timeout.</summary>
    public static string? TimeoutStrategyOf(TaskSpec t) => t.Timeout > 0 ? t.TimeoutStrategy ?? "WARN" : null;

    // A data source type only matters for id:N references; with a name the target's data source decides it.
    private static string? DataSourceTypeOf(TaskSpec t) => t.DataSource?.StartsWith("id:", StringComparison.Ordinal) == true ? t.DataSourceType : null;
    private static string? DataTargetTypeOf(TaskSpec t) => t.DataTarget?.StartsWith("id:", StringComparison.Ordinal) == true ? t.DataTargetType : null;

    public static readonly IReadOnlyList<Field<TaskSpec>> Task = new Field<TaskSpec>[]
    {
        new("type", (a, b) => a.Type == b.Type, t => t.Type),
        new("description", (a, b) => S(a.Description, b.Description), t => t.Description),
        new("dependsOn", (a, b) => L(a.DependsOn, b.DependsOn), t => Join(t.DependsOn)),
        new("script", (a, b) => S(a.Script, b.Script), t => t.Script),
        new("workerGroup", (a, b) => a.WorkerGroup == b.WorkerGroup, t => t.WorkerGroup),
        new("environment", (a, b) => S(a.Environment, b.Environment), t => t.Environment),
        new("dataSource", (a, b) => S(a.DataSource, b.DataSource), t => t.DataSource),
        new("dataSourceType", (a, b) => S(DataSourceTypeOf(a), DataSourceTypeOf(b)), DataSourceTypeOf),
        new("dataTarget", (a, b) => S(a.DataTarget, b.DataTarget), t => t.DataTarget),
        new("dataTargetType", (a, b) => S(DataTargetTypeOf(a), DataTargetTypeOf(b)), DataTargetTypeOf),
        new("subWorkflow", (a, b) => S(a.SubWorkflow, b.SubWorkflow), t => t.SubWorkflow),
        new("retries", (a, b) => a.Retries == b.Retries, t => I(t.Retries)),
        new("retryInterval", (a, b) => a.RetryInterval == b.RetryInterval, t => I(t.RetryInterval)),
        new("timeout", (a, b) => a.Timeout == b.Timeout, t => I(t.Timeout)),
        new("timeoutStrategy", (a, b) => S(TimeoutStrategyOf(a), TimeoutStrategyOf(b)), TimeoutStrategyOf),
        new("priority", (a, b) => a.Priority == b.Priority, t => t.Priority),
        new("delayTime", (a, b) => a.DelayTime == b.DelayTime, t => I(t.DelayTime)),
        new("enabled", (a, b) => a.Enabled == b.Enabled, t => t.Enabled ? "true" : "false"),
        new("cache", (a, b) => a.Cache == b.Cache, t => t.Cache ? "true" : "false"),
        new("parameters", (a, b) => P(a.Parameters, b.Parameters), t => ShowParams(t.Parameters)),
        new("resources", (a, b) => L(a.Resources, b.Resources), t => Join(t.Resources)),
        new("dependence", (a, b) => Dep(a.Dependence, b.Dependence), t => ShowRecord(t.Dependence)),
        new("conditions", (a, b) => Cond(a.Conditions, b.Conditions), t => ShowRecord(t.Conditions)),
        new("switch", (a, b) => Sw(a.Switch, b.Switch), t => ShowRecord(t.Switch)),
        new("params", (a, b) => a.Params == b.Params, t => t.Params == "{}" ? null : SecretRedactor.RedactJson(t.Params)),
        // Git provenance (repository, path, commit) kept in the description marker; last so that older fingerprints,
        // which had no such field, stay valid for tasks without provenance (see Fingerprint).
        new(GitSourceField, (a, b) => a.Provenance is null ? b.Provenance is null : a.Provenance.SameSource(b.Provenance), t => t.Provenance?.ToString()),
    };

    /// <summary>The plan field of a task's Git provenance.</summary>
    public const string GitSourceField = "gitSource";

    private static bool Sched(ScheduleSpec? a, ScheduleSpec? b) => ReferenceEquals(a, b) || (a is not null && b is not null && ShowSchedule(a) == ShowSchedule(b));

    private static string? ShowSchedule(ScheduleSpec? s) => s is null ? null :
        $"{s.Cron} {s.TimeZone} {s.Start}..{s.End} online={s.Online.ToString().ToLowerInvariant()} failure={s.FailureStrategy} warning={s.WarningType}/{s.WarningGroup} priority={s.Priority} workerGroup={s.WorkerGroup} environment={s.Environment}";

    public static readonly IReadOnlyList<Field<WorkflowSpec>> Workflow = new Field<WorkflowSpec>[]
    {
        new("description", (a, b) => S(a.Description, b.Description), w => w.Description),
        new("timeout", (a, b) => a.Timeout == b.Timeout, w => I(w.Timeout)),
        new("executionType", (a, b) => a.ExecutionType == b.ExecutionType, w => w.ExecutionType),
        new("releaseState", (a, b) => a.ReleaseState == b.ReleaseState, w => w.ReleaseState),
        new("tenant", (a, b) => S(a.Tenant ?? "default", b.Tenant ?? "default"), w => w.Tenant),
        new("parameters", (a, b) => P(a.Parameters, b.Parameters), w => ShowParams(w.Parameters)),
        new("schedule", (a, b) => Sched(a.Schedule, b.Schedule), w => ShowSchedule(w.Schedule)),
    };

    /// <summary>
    /// Content hash of a workflow (its fields and every task's, tasks by name): equal specs have equal
    /// fingerprints whatever file or server they came from. Hex SHA-256, first 32 characters.
    /// </summary>
    public static string Fingerprint(WorkflowSpec w)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sb = _builder ??= new StringBuilder(4096);
        sb.Clear();
        sb.Append(w.Project).Append('\u0001').Append(w.Name).Append('\u0001');
        foreach (var f in Workflow) sb.Append(f.Name).Append('=').Append(Raw(f, w)).Append('\u0001');
        Flush(hash, sb);
        var tasks = w.Tasks.ToArray();
        Array.Sort(tasks, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var t in tasks)
        {
            sb.Append("task:").Append(t.Name).Append('\u0001');
            foreach (var f in Task)
            {
                if (t.Provenance is null && f.Name == GitSourceField) continue; // fingerprints from before provenance stay valid
                sb.Append(f.Name).Append('=').Append(Raw(f, t)).Append('\u0001');
            }
            Flush(hash, sb);
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..32].ToLowerInvariant();
    }

    /// <summary>Hash of many fingerprints (order-independent input, sorted by key).</summary>
    public static string Combine(IEnumerable<(string Key, string Fingerprint)> items)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (k, f) in items.OrderBy(i => i.Key, StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes(k + "=" + f + "\n"));
        return Convert.ToHexString(hash.GetHashAndReset())[..32].ToLowerInvariant();
    }

    // Fingerprints hash the unredacted content: the hash is one-way and never shown as text.
    private static string? Raw<T>(Field<T> f, T value) => f.Name switch
    {
        "params" when value is TaskSpec t => t.Params,
        "parameters" when value is TaskSpec t => string.Join("\u0002", t.Parameters.Select(p => $"{p.Name}\u0003{p.Value}\u0003{p.Type}\u0003{p.Direction}")),
        "parameters" when value is WorkflowSpec w => string.Join("\u0002", w.Parameters.Select(p => $"{p.Name}\u0003{p.Value}\u0003{p.Type}\u0003{p.Direction}")),
        "tenant" when value is WorkflowSpec w => w.Tenant ?? "default",
        GitSourceField when value is TaskSpec t => $"{t.Provenance!.Repository}\u0003{t.Provenance.Path}\u0003{t.Provenance.Commit}",
        _ => f.Show(value) ?? "",
    };

    [ThreadStatic] private static byte[]? _buffer;
    [ThreadStatic] private static StringBuilder? _builder;

    /// <summary>Hashes the builder's text through a reused buffer (no per-task string or byte[]).</summary>
    private static void Flush(IncrementalHash hash, StringBuilder sb)
    {
        foreach (var chunk in sb.GetChunks())
        {
            var need = Encoding.UTF8.GetMaxByteCount(chunk.Length);
            if (_buffer is null || _buffer.Length < need) _buffer = new byte[Math.Max(need, 4096)];
            var n = Encoding.UTF8.GetBytes(chunk.Span, _buffer);
            hash.AppendData(_buffer, 0, n);
        }
        sb.Clear();
    }
}

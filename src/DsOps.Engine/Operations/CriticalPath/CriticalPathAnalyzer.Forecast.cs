using DsOps.Engine.Dialects;
using DsOps.Engine.Metadata;

namespace DsOps.Engine.Operations.CriticalPath;

// Deadline forecasts: today's finish from the running state and the last HistoryDays days (docs/operations.md, "Critical path").
public sealed partial class CriticalPathAnalyzer
{
    /// <summary>
    /// Predicts when each selected workflow's run of <paramref name="date"/> finishes and compares it with the deadline
    /// (<paramref name="deadline"/> after the start of the date, wall-clock in the business time zone).
    /// <para>Per workflow, from its successful runs of the previous days: the usual (median) duration, start time after
    /// midnight, and "tail" (end minus the end of the last workflow it waits for through DEPENDENT tasks). A finished run
    /// counts as is; a running one finishes at the later of now and start + usual duration; one not started yet starts at
    /// the later of now and its usual start. Either way it cannot finish before its dependencies' predicted finish plus
    /// its usual tail, and dependencies are predicted the same way, recursively.</para>
    /// </summary>
    public async Task<IReadOnlyList<DsDeadlineForecast>> ForecastAsync(DateOnly date, IEnumerable<string> workflows, TimeSpan deadline,
        DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        await using var session = await _connection.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await MetadataCatalog.LoadAsync(session, false, cancellationToken).ConfigureAwait(false);
        var codes = SelectWorkflows(catalog, workflows);
        return await ForecastAsync(session, catalog, date, codes.Select(c => (c, deadline)).ToList(), asOf ?? DateTimeOffset.Now, cancellationToken)
            .ConfigureAwait(false);
    }

    private sealed record Prediction(DateTime? Finish, bool Finished, bool Failed, string Reason, IReadOnlyList<(long Code, DateTime Finish)> Drivers);

    internal async Task<List<DsDeadlineForecast>> ForecastAsync(DsMetadataSession session, MetadataCatalog catalog, DateOnly date,
        IReadOnlyList<(long Code, TimeSpan Deadline)> targets, DateTimeOffset asOf, CancellationToken ct)
    {
        if (HistoryDays < 1) throw new DsOpsException(DsErrorKind.InvalidInput, "DsInvalidHistoryDays", "The forecast needs at least one day of history.");
        var (from, to) = Clock.DayWindow(date);
        var now = Clock.ToServer(asOf);
        // As of 'now': runs that started later do not exist yet and runs that ended later are still running, so an
        // earlier -AsOf replays what was known then.
        var instances = (await InstancesAsync(session, Clock.DayWindow(date.AddDays(-HistoryDays)).From, to, ct).ConfigureAwait(false))
            .Where(i => i.Start <= now).Select(i => i.End > now ? i with { End = null } : i).ToList();
        var runs = instances.Where(i => !i.IsSub).ToLookup(i => i.Code);
        var pastDays = Enumerable.Range(1, HistoryDays).Select(k => Clock.DayWindow(date.AddDays(-k))).ToList();
        var memo = new Dictionary<long, Prediction>();
        var dependencies = new Dictionary<long, List<long>>();
        bool Ok(InstanceRow i) => i.End is not null && DsDialect.IsSuccess(D.StateOf(i.State, DsStateScope.Workflow));
        string Name(long code) => $"{catalog.ProjectOfWorkflow(code)}/{catalog.WorkflowName(code)}";
        string Hm(DateTime serverTime) => $"{Clock.ToBusiness(serverTime):HH:mm}";

        async Task<List<long>> DependenciesOf(long code)
        {
            if (dependencies.TryGetValue(code, out var known)) return known;
            var p = new Dictionary<string, object?> { ["@code"] = code };
            var sql = $"SELECT td.task_params FROM {D.WorkflowTaskRelationTable} r JOIN {D.TaskDefinitionTable} td ON td.code = r.post_task_code " +
                      $"WHERE r.{D.WorkflowCodeColumn} = @code AND td.task_type = 'DEPENDENT'";
            var rows = await session.QueryAsync(sql, p, r => r.IsDBNull(0) ? null : r.GetString(0), ct).ConfigureAwait(false);
            return dependencies[code] = rows.SelectMany(DependItems).Select(x => x.Workflow).Where(c => c != code).Distinct().ToList();
        }

        async Task<Prediction> Predict(long code, ImmutableStack stack)
        {
            if (memo.TryGetValue(code, out var done)) return done;
            if (stack.Contains(code) || stack.Depth > 32) return new Prediction(null, false, false, "dependency cycle", Array.Empty<(long, DateTime)>());
            var today = runs[code].Where(i => i.Start >= from && i.Start < to).OrderByDescending(i => i.Start).ThenByDescending(i => i.Id).FirstOrDefault();
            Prediction result;
            if (today is { End: { } end } && Ok(today))
                result = new Prediction(end, true, false, $"finished {Hm(end)}", Array.Empty<(long, DateTime)>());
            else if (today is { End: { } failedAt })
                result = new Prediction(null, false, true, $"{Name(code)} ended without success at {Hm(failedAt)} ({D.StateOf(today.State, DsStateScope.Workflow)}); it needs a rerun",
                    Array.Empty<(long, DateTime)>());
            else
            {
                var deps = await DependenciesOf(code).ConfigureAwait(false);
                var durations = new List<double>();
                var starts = new List<double>();
                var tails = new List<double>();
                foreach (var (dayFrom, dayTo) in pastDays)
                {
                    var run = runs[code].Where(i => i.Start >= dayFrom && i.Start < dayTo && Ok(i)).OrderByDescending(i => i.Start).FirstOrDefault();
                    if (run is null) continue;
                    durations.Add((run.End!.Value - run.Start).TotalSeconds);
                    starts.Add((run.Start - dayFrom).TotalSeconds);
                    var depEnds = deps.Select(d => runs[d].Where(i => Ok(i) && i.End <= run.End && i.End >= dayFrom).Select(i => i.End!.Value).DefaultIfEmpty().Max())
                        .Where(e => e != default).ToList();
                    if (depEnds.Count > 0) tails.Add((run.End!.Value - Max(depEnds.Max(), run.Start)).TotalSeconds);
                }
                if (durations.Count == 0)
                    result = new Prediction(null, false, false, $"{Name(code)} has no successful run in the {HistoryDays} days before", Array.Empty<(long, DateTime)>());
                else
                {
                    var usual = TimeSpan.FromSeconds(SqlText.Median(durations)!.Value);
                    var usualStart = TimeSpan.FromSeconds(SqlText.Median(starts)!.Value);
                    var tail = tails.Count > 0 ? TimeSpan.FromSeconds(SqlText.Median(tails)!.Value) : usual;
                    var own = today is not null ? Max(now, today.Start + usual) : Max(from + usualStart, now) + usual;
                    var reason = today is not null
                        ? $"running since {Hm(today.Start)}, usually {usual.TotalMinutes:0} min"
                        : $"not started, usually starts {Hm(from + usualStart)} and runs {usual.TotalMinutes:0} min";
                    var finish = own;
                    IReadOnlyList<(long, DateTime)> drivers = Array.Empty<(long, DateTime)>();
                    Prediction? failedDep = null;
                    (long Code, Prediction P)? gate = null;
                    foreach (var dep in deps)
                    {
                        var p = await Predict(dep, stack.Push(code)).ConfigureAwait(false);
                        if (p.Failed) failedDep ??= p;
                        if (p.Finish is { } f && (gate is null || f > gate.Value.P.Finish)) gate = (dep, p);
                    }
                    if (failedDep is not null)
                        result = new Prediction(null, false, true, $"waits for {failedDep.Reason}", failedDep.Drivers);
                    else
                    {
                        if (gate is { } g && g.P.Finish!.Value + tail > finish)
                        {
                            finish = g.P.Finish.Value + tail;
                            drivers = g.P.Drivers.Append((g.Code, g.P.Finish.Value)).ToList();
                            reason += $"; waits for {Name(g.Code)} ({(g.P.Finished ? "finished" : "predicted")} {Hm(g.P.Finish.Value)}) and usually ends {tail.TotalMinutes:0} min after it";
                        }
                        result = new Prediction(finish, false, false, reason, drivers);
                    }
                }
            }
            memo[code] = result;
            return result;
        }

        var forecasts = new List<DsDeadlineForecast>();
        foreach (var (code, offset) in targets)
        {
            var p = await Predict(code, ImmutableStack.Empty).ConfigureAwait(false);
            var deadline = Clock.WallClock(date, offset);
            var predicted = Clock.ToBusiness(p.Finish);
            var status = p.Finished ? (predicted <= deadline ? DsDeadlineStatus.Met : DsDeadlineStatus.Missed)
                : asOf > deadline ? DsDeadlineStatus.Missed
                : p.Failed ? DsDeadlineStatus.AtRisk
                : predicted is null ? DsDeadlineStatus.Unknown
                : predicted > deadline ? DsDeadlineStatus.AtRisk
                : DsDeadlineStatus.OnTrack;
            forecasts.Add(new DsDeadlineForecast
            {
                Project = catalog.ProjectOfWorkflow(code), Workflow = catalog.WorkflowName(code), WorkflowCode = code, Date = date,
                Deadline = deadline, AsOf = asOf, Status = status, PredictedFinish = predicted, Finished = p.Finished,
                Drivers = p.Drivers.Select(d => $"{Name(d.Code)} {Hm(d.Finish)}").ToList(),
                Reason = p.Finish is { } f && !p.Finished ? $"predicted {Hm(f)}: {p.Reason}" : p.Reason,
            });
        }
        return forecasts;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    /// <summary>The workflows being predicted above the current one (cycle guard).</summary>
    private sealed class ImmutableStack
    {
        public static readonly ImmutableStack Empty = new(null, 0, 0);
        private readonly ImmutableStack? _next;
        private readonly long _code;
        private ImmutableStack(ImmutableStack? next, long code, int depth) { _next = next; _code = code; Depth = depth; }
        public int Depth { get; }
        public ImmutableStack Push(long code) => new(this, code, Depth + 1);
        public bool Contains(long code)
        {
            for (var s = this; s is not null && s.Depth > 0; s = s._next) if (s._code == code) return true;
            return false;
        }
    }
}

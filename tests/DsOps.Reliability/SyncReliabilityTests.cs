using System.Diagnostics;
using System.Text;
using DsOps.Emulator;
using DsOps.Engine.Planning;
using DsOps.Testing;
using MySqlConnector;
using Xunit;
using Xunit.Abstractions;

namespace DsOps.Reliability;

/// <summary>
/// The trials an unattended PROD sync must survive, each sync in its own real pwsh process with the published module
/// (out/DsOps) against the DS 3.2 emulator on MariaDB: kill -9 in the middle of applies with spec edits between
/// rounds, two syncs at once, and syncs through injected 503s, 429s and dropped connections. After each trial the
/// metadata database has no duplicate, no orphaned task definition and no dangling relation, the server holds exactly
/// the specs, and a fresh plan shows no change. Run: dotnet test tests/DsOps.Reliability -c Release
/// (docs/sync-reliability.md).
/// </summary>
public sealed class SyncReliabilityTests : IAsyncLifetime
{
    private const string Project = "rel";
    private readonly ITestOutputHelper _out;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dsops-rel-" + Guid.NewGuid().ToString("N")[..8]);
    private DsEmulator _emu = null!;

    public SyncReliabilityTests(ITestOutputHelper output) => _out = output;

    private string SpecDir => Path.Combine(_dir, "specs");
    private string StatePath => Path.Combine(SpecDir, AppliedState.DefaultFileName);
    private string LockDir => Path.Combine(_dir, "locks");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(RepoPaths.ModuleManifest), $"{RepoPaths.ModuleManifest} is missing: run 'dotnet publish src/DsOps -c Release'.");
        Directory.CreateDirectory(SpecDir);
        _emu = await DsEmulator.StartAsync(new EmulatorOptions { Dialect = "3.2" });
    }

    public async Task DisposeAsync()
    {
        await _emu.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    // ------------------------------------------------------------------ the specs, as a model edited between rounds

    /// <summary>Workflow index → (task count, script version).</summary>
    private readonly SortedDictionary<int, (int Tasks, int Version)> _model = new();

    private void WriteSpecs()
    {
        var sb = new StringBuilder($"project: {Project}\nworkflows:\n");
        foreach (var (i, (tasks, version)) in _model)
        {
            sb.Append($"  - name: wf_{i:D3}\n    description: reliability {i}\n    tasks:\n");
            for (var t = 0; t < tasks; t++)
            {
                sb.Append($"      - name: t{t}\n        type: SHELL\n        script: echo {i} {t} v{version}\n");
                if (t > 0) sb.Append($"        dependsOn: [t{(t - 1) / 2}]\n");
            }
        }
        File.WriteAllText(Path.Combine(SpecDir, "rel.yaml"), sb.ToString());
    }

    /// <summary>A round's edits: some workflows go, some come, some lose or gain tasks, some change scripts.</summary>
    private void Edit(Random random)
    {
        var present = _model.Keys.ToList();
        foreach (var i in present.OrderBy(_ => random.Next()).Take(2)) _model.Remove(i);
        var next = _model.Count == 0 ? 0 : _model.Keys.Max() + 1;
        for (var k = 0; k < 3; k++) _model[next + k + random.Next(0, 3) * 100] = (random.Next(2, 6), 1);
        foreach (var i in _model.Keys.ToList().OrderBy(_ => random.Next()).Take(8))
        {
            var (tasks, version) = _model[i];
            _model[i] = random.Next(3) switch
            {
                0 => (Math.Max(1, tasks - 1), version),   // a task removed: its definition must not stay behind
                1 => (tasks + 1, version),
                _ => (tasks, version + 1),
            };
        }
        WriteSpecs();
    }

    // ------------------------------------------------------------------ running a sync in real pwsh

    private const string SyncScript = """
        $ErrorActionPreference = 'Continue'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:DSOPS_REL_MODULE
        $token = ConvertTo-SecureString $env:DSOPS_REL_TOKEN -AsPlainText -Force
        try {
            $c = Connect-DsServer -Uri $env:DSOPS_REL_URI -Token $token -NoDefault
            while ($env:DSOPS_REL_GO -and -not (Test-Path $env:DSOPS_REL_GO)) { Start-Sleep -Milliseconds 20 }
            $extra = @{}
            if ($env:DSOPS_REL_LOCKTIMEOUT) { $extra.LockTimeout = [int]$env:DSOPS_REL_LOCKTIMEOUT }
            Sync-DsWorkflow $env:DSOPS_REL_SPECS -Connection $c -ThrottleLimit 4 -Force @extra -ErrorVariable syncErrors 2>$null |
                ForEach-Object { "RESULT $($_.Status) $($_.Action) $($_.Target)" }
            foreach ($e in $syncErrors) { "ERROR $($e.FullyQualifiedErrorId) $($e.Exception.Message)" }
        } catch {
            "ERROR $($_.FullyQualifiedErrorId) $($_.Exception.Message)"
        }
        """;

    private sealed record SyncRun(int ExitCode, bool Killed, IReadOnlyList<string> Lines)
    {
        /// <summary>Errors the sync reported, and any sign the pwsh process itself failed.</summary>
        public IEnumerable<string> Errors => Lines.Where(l => l.StartsWith("ERROR ", StringComparison.Ordinal) || l.StartsWith("STDERR ", StringComparison.Ordinal))
            .Concat(!Killed && ExitCode != 0 ? new[] { $"EXIT {ExitCode}" } : Array.Empty<string>());
        public IEnumerable<string> Results => Lines.Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        public override string ToString() => $"exit {ExitCode}{(Killed ? " (killed)" : "")}:\n" + string.Join("\n", Lines);
    }

    private Process StartSync(int lockTimeout = 0, string? goFile = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.RepoRoot,
        };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", SyncScript }) psi.ArgumentList.Add(a);
        psi.Environment["DSOPS_REL_MODULE"] = RepoPaths.ModuleManifest;
        psi.Environment["DSOPS_REL_URI"] = _emu.BaseUri.ToString();
        psi.Environment["DSOPS_REL_TOKEN"] = _emu.AdminToken;
        psi.Environment["DSOPS_REL_SPECS"] = SpecDir;
        psi.Environment["DSOPS_REL_LOCKTIMEOUT"] = lockTimeout > 0 ? lockTimeout.ToString() : "";
        psi.Environment["DSOPS_REL_GO"] = goFile ?? "";
        psi.Environment["DSOPS_LOCK_DIR"] = LockDir;
        psi.Environment["DSOPS_NO_WARMUP"] = "1";
        return Process.Start(psi)!;
    }

    private static async Task<SyncRun> FinishAsync(Process p, bool killed = false)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var err = (await stderr).Trim();
        if (err.Length > 0) lines.Add("STDERR " + err);
        return new SyncRun(p.ExitCode, killed, lines);
    }

    private async Task<SyncRun> SyncAsync(int lockTimeout = 0)
    {
        using var p = StartSync(lockTimeout);
        return await FinishAsync(p);
    }

    /// <summary>Starts a sync and kills it (SIGKILL) once it has appended <paramref name="journalLines"/> lines to the journal.</summary>
    private async Task<SyncRun> SyncAndKillAsync(int journalLines)
    {
        var journal = AppliedState.JournalPath(StatePath);
        var start = CountLines(journal); // a killed run's journal stays until a run completes; this run appends to it
        using var p = StartSync();
        var killed = false;
        while (!p.HasExited)
        {
            if (CountLines(journal) >= start + journalLines)
            {
                p.Kill(entireProcessTree: true); // SIGKILL: no finally block, no state save, no lock release by the process
                killed = true;
                break;
            }
            await Task.Delay(10);
        }
        var run = await FinishAsync(p, killed);
        // A killed client's last requests may still be running in the server (it does not notice the client is gone):
        // let them finish, so the round's check sees everything the killed run did.
        if (killed) await WaitForServerIdleAsync();
        _journals.Add($"after round {_round} ({(killed ? "killed" : "finished")}):\n" + (File.Exists(journal) ? ReadShared(journal) : "(no journal)"));
        return run;
    }

    /// <summary>The journal after each round, to explain a failed check.</summary>
    private readonly List<string> _journals = new();
    private int _round;

    private async Task WaitForServerIdleAsync()
    {
        var sw = Stopwatch.StartNew();
        while (_emu.RequestLog.InFlight > 0 && sw.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        Assert.Equal(0, _emu.RequestLog.InFlight);
    }

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>The journal lines (of every round) and state entries that mention one of <paramref name="keys"/>.</summary>
    private string History(IEnumerable<string> keys)
    {
        var set = keys.ToList();
        var sb = new StringBuilder();
        foreach (var j in _journals)
        {
            var lines = j.Split('\n');
            var hits = lines.Skip(1).Where(l => set.Any(k => l.Contains('"' + k + '"', StringComparison.Ordinal))).ToList();
            if (hits.Count > 0) sb.Append(lines[0]).Append('\n').AppendJoin('\n', hits).Append('\n');
        }
        var state = AppliedState.Load(StatePath);
        foreach (var k in set) sb.Append($"state {k}: {state.Entry(k)?.ToString() ?? "(none)"}\n");
        return sb.ToString();
    }

    private static int CountLines(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var n = 0;
            int b;
            while ((b = s.ReadByte()) >= 0) if (b == '\n') n++;
            return n;
        }
        catch (IOException) { return 0; }
    }

    // ------------------------------------------------------------------ what the metadata database must show

    private async Task<long> ScalarAsync(string sql)
    {
        await using var db = new MySqlConnection(_emu.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new MySqlCommand(sql, db);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private async Task<Dictionary<long, string>> ServerWorkflowsAsync()
    {
        await using var db = new MySqlConnection(_emu.ConnectionString);
        await db.OpenAsync();
        await using var cmd = new MySqlCommand("SELECT d.code, d.name FROM t_ds_process_definition d JOIN t_ds_project p ON p.code = d.project_code WHERE p.name = @p", db);
        cmd.Parameters.AddWithValue("@p", Project);
        var map = new Dictionary<long, string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }

    private async Task AssertConvergedAsync(string trial)
    {
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM (SELECT project_code, name FROM t_ds_process_definition GROUP BY project_code, name HAVING COUNT(*) > 1) x"));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM (SELECT code FROM t_ds_task_definition GROUP BY code HAVING COUNT(*) > 1) x"));
        Assert.Equal(1L, await ScalarAsync($"SELECT COUNT(*) FROM t_ds_project WHERE name = '{Project}'"));
        // Orphans as Test-DsMetadataIntegrity defines them: a task definition no relation uses.
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM t_ds_task_definition t WHERE NOT EXISTS " +
            "(SELECT 1 FROM t_ds_process_task_relation r WHERE r.project_code = t.project_code AND (r.post_task_code = t.code OR r.pre_task_code = t.code))"));
        // Dangling relations: pointing at a task definition or a workflow that does not exist.
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM t_ds_process_task_relation r WHERE NOT EXISTS (SELECT 1 FROM t_ds_task_definition t WHERE t.code = r.post_task_code) " +
            "OR (r.pre_task_code <> 0 AND NOT EXISTS (SELECT 1 FROM t_ds_task_definition t WHERE t.code = r.pre_task_code)) " +
            "OR NOT EXISTS (SELECT 1 FROM t_ds_process_definition d WHERE d.code = r.process_definition_code)"));
        var server = (await ServerWorkflowsAsync()).Values.Order(StringComparer.Ordinal).ToList();
        var inFile = File.ReadLines(Path.Combine(SpecDir, "rel.yaml")).Where(l => l.StartsWith("  - name: ", StringComparison.Ordinal)).Select(l => l[10..]).Order(StringComparer.Ordinal).ToList();
        var expected = _model.Keys.Select(i => $"wf_{i:D3}").Order(StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(server))
            _out.WriteLine($"{trial}: model-only {string.Join(",", expected.Except(server))}; server-only {string.Join(",", server.Except(expected))}; " +
                           $"file-only {string.Join(",", inFile.Except(expected))}; model-not-in-file {string.Join(",", expected.Except(inFile))}; state: " +
                           string.Join(" ", AppliedState.Load(StatePath).Entries.Select(e => e.Key + (e.Value.Pending ? "(pending)" : ""))));
        Assert.Equal(expected, server);
        // The final plan: a sync now has nothing to do and finds no drift.
        var writes = _emu.RequestLog.WritingRequests;
        var again = await SyncAsync();
        Assert.True(!again.Errors.Any() && !again.Results.Any(), $"{trial}: the sync after convergence was not empty: {again}");
        Assert.Equal(writes, _emu.RequestLog.WritingRequests);
        var state = AppliedState.Load(StatePath);
        var serverKeys = server.Select(n => Project + "/" + n).ToList();
        if (!serverKeys.SequenceEqual(state.Entries.Keys))
            _out.WriteLine($"{trial}: on the server only {string.Join(",", serverKeys.Except(state.Entries.Keys))}; in the state only " +
                           $"{string.Join(",", state.Entries.Keys.Except(serverKeys))}\n" + History(serverKeys.Concat(state.Entries.Keys).Except(serverKeys.Intersect(state.Entries.Keys))));
        Assert.Equal(serverKeys, state.Entries.Keys);
        Assert.All(state.Entries.Values, e => Assert.False(e.Pending));
        Assert.False(File.Exists(AppliedState.JournalPath(StatePath)));
    }

    // ------------------------------------------------------------------ the trials

    [Fact]
    public async Task Twenty_kill_9_rounds_mid_apply_with_spec_edits_between_them_converge()
    {
        var random = new Random(20261204);
        for (var i = 0; i < 12; i++) _model[i] = (random.Next(2, 6), 1);
        WriteSpecs();
        var first = await SyncAsync();
        Assert.False(first.Errors.Any(), first.ToString());

        var killed = 0;
        for (var round = 1; round <= 20; round++)
        {
            _round = round;
            Edit(random);
            var before = await ServerWorkflowsAsync();
            var run = await SyncAndKillAsync(journalLines: random.Next(1, 12));
            if (run.Killed) killed++;
            else Assert.False(run.Errors.Any(), $"round {round}: {run}");
            // Every workflow the killed run created is known to the next run (state + the journal it left).
            var state = AppliedState.Load(StatePath);
            var created = (await ServerWorkflowsAsync()).Where(w => !before.ContainsKey(w.Key)).Select(w => Project + "/" + w.Value).ToList();
            Assert.All(created, key => Assert.True(state.IsManaged(key), $"round {round}: {key} was created by the killed run but is unknown to the next\n{History(new[] { key })}"));
            _out.WriteLine($"round {round}: {(run.Killed ? "killed" : "finished")}, {created.Count} created, {state.ReplayedJournalEntries} journal entries");
        }
        Assert.True(killed >= 15, $"only {killed} of 20 runs were killed mid-apply");

        // The run after the kills finishes what they left; a workflow that fails there (a DS deadlock under parallel
        // writes is possible) is finished by one more run.
        var final = await SyncAsync();
        _out.WriteLine("first run after the kills: " + final);
        if (final.Errors.Any()) final = await SyncAsync();
        Assert.False(final.Errors.Any(), final.ToString());

        // What the state may still hold beyond the server: intents of killed runs whose create never reached DS (killed
        // between the journal's "begin" and the request) and whose spec was removed since. They stay managed for
        // AppliedState.IntentGrace (DS could still be processing such a request), then the next sync drops them.
        var onServer = (await ServerWorkflowsAsync()).Values.Select(n => Project + "/" + n).ToHashSet(StringComparer.Ordinal);
        var intents = AppliedState.Load(StatePath).Entries.Where(e => !onServer.Contains(e.Key)).ToList();
        _out.WriteLine($"intents left after the kills (neither on the server nor in the specs): {intents.Count} {string.Join(",", intents.Select(e => e.Key))}");
        Assert.All(intents, e =>
        {
            Assert.True(e.Value.Pending, $"{e.Key} is recorded as applied but is not on the server\n{History(new[] { e.Key })}");
            Assert.DoesNotContain(e.Key, _model.Keys.Select(i => $"{Project}/wf_{i:D3}"));
        });
        if (intents.Count > 0)
        {
            AgeIntents(AppliedState.IntentGrace + TimeSpan.FromMinutes(1));
            var aged = await SyncAsync();
            Assert.True(!aged.Errors.Any() && !aged.Results.Any(), aged.ToString());
        }
        await AssertConvergedAsync("kill -9");
    }

    /// <summary>Moves the time of every pending entry of the state file back by <paramref name="age"/> (as if that time had passed).</summary>
    private void AgeIntents(TimeSpan age)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(StatePath))!.AsObject();
        foreach (var (_, entry) in root["workflows"]!.AsObject())
            if (entry?["pending"]?.GetValue<bool>() == true)
                entry["since"] = DateTimeOffset.Parse(entry["since"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Subtract(age)
                    .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(StatePath, root.ToJsonString());
    }

    [Fact]
    public async Task Two_concurrent_syncs_one_is_refused_clearly_or_with_LockTimeout_they_run_one_after_the_other()
    {
        var random = new Random(7);
        for (var i = 0; i < 30; i++) _model[i] = (random.Next(2, 6), 1);
        WriteSpecs();
        _emu.Faults.Latency = TimeSpan.FromMilliseconds(250); // the first is still applying when the second starts

        // The second sync is started first and waits (after importing and connecting) until the first is applying.
        var go = Path.Combine(_dir, "go");
        using (var b = StartSync(goFile: go))
        using (var a = StartSync())
        {
            await WaitForJournalAsync(a);
            File.WriteAllText(go, "");
            var runB = await FinishAsync(b);
            var runA = await FinishAsync(a);
            Assert.False(runA.Errors.Any(), runA.ToString());
            var refusal = runB.Errors.FirstOrDefault() ?? throw new Xunit.Sdk.XunitException("the second sync was not refused: " + runB);
            Assert.Single(runB.Errors);
            Assert.StartsWith("ERROR DsSyncLocked,", refusal);
            Assert.Contains($"Another sync of project '{Project}'", refusal);
            Assert.Matches(@"process \d+ since \d{4}-\d\d-\d\d", refusal);
            Assert.Empty(runB.Results);
            _out.WriteLine("refused: " + refusal);
        }

        Edit(random);
        File.Delete(go);
        using (var b = StartSync(lockTimeout: 300, goFile: go))
        using (var a = StartSync())
        {
            await WaitForJournalAsync(a);
            File.WriteAllText(go, "");
            var runB = await FinishAsync(b);
            var runA = await FinishAsync(a);
            Assert.False(runA.Errors.Any(), runA.ToString());
            Assert.False(runB.Errors.Any(), runB.ToString()); // waited for the first, then found nothing left to do
            Assert.Empty(runB.Results);
        }
        _emu.Faults.Clear();
        await AssertConvergedAsync("concurrent");
    }

    private async Task WaitForJournalAsync(Process p)
    {
        var journal = AppliedState.JournalPath(StatePath);
        var sw = Stopwatch.StartNew();
        while (!p.HasExited && CountLines(journal) < 2 && sw.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
        Assert.False(p.HasExited, "the first sync finished before the second started");
    }

    [Fact]
    public async Task Syncs_through_503s_429s_and_dropped_connections_never_duplicate_and_converge_when_the_faults_stop()
    {
        var random = new Random(42);
        for (var i = 0; i < 25; i++) _model[i] = (random.Next(2, 6), 1);
        WriteSpecs();
        _emu.Faults.Reseed(42);
        _emu.Faults.ServerErrorRate = 0.10;
        _emu.Faults.RateLimitRate = 0.05;
        _emu.Faults.DropRate = 0.03;
        var failedRuns = 0;
        for (var run = 1; run <= 4; run++)
        {
            var r = await SyncAsync();
            if (r.Errors.Any()) failedRuns++;
            Assert.DoesNotContain(r.Lines, l => l.Contains("NullReference", StringComparison.Ordinal));
            _out.WriteLine($"faulty run {run}: {r.Results.Count()} results, {r.Errors.Count()} errors");
            Edit(random);
        }
        _emu.Faults.Clear();
        var final = await SyncAsync();
        Assert.False(final.Errors.Any(), final.ToString());
        _out.WriteLine($"{failedRuns} of 4 faulty runs reported errors");
        await AssertConvergedAsync("faults");
    }

    [Fact]
    public async Task Two_processes_saving_one_state_file_400_times_each_give_no_error_and_no_corrupt_file()
    {
        var path = Path.Combine(_dir, "shared.json");
        const string script = """
            $ErrorActionPreference = 'Stop'
            Import-Module $env:DSOPS_REL_MODULE
            # AppliedState is internal to the engine (docs/architecture.md, "Public engine surface"): reached by reflection.
            $type = [DsOps.Engine.Api.DsConnection].Assembly.GetType('DsOps.Engine.Planning.AppliedState', $true)
            $load = $type.GetMethod('Load', [Reflection.BindingFlags]'Public,Static')
            $state = [Activator]::CreateInstance($type)
            $errors = 0; $corrupt = 0
            for ($i = 0; $i -lt 400; $i++) {
                $state.Record("p/w$i", ('a' * 32), $i, [long[]]@($i))
                try { $state.Save($env:DSOPS_REL_PATH) } catch { $errors++ }
                try { $null = $load.Invoke($null, [Reflection.BindingFlags]::DoNotWrapExceptions, $null, @([string]$env:DSOPS_REL_PATH), $null) }
                catch [System.IO.IOException] { } catch { $corrupt++ }
            }
            "$errors $corrupt"
            """;
        var processes = Enumerable.Range(0, 2).Select(_ =>
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.RepoRoot };
            foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", script }) psi.ArgumentList.Add(a);
            psi.Environment["DSOPS_REL_MODULE"] = RepoPaths.ModuleManifest;
            psi.Environment["DSOPS_REL_PATH"] = path;
            psi.Environment["DSOPS_NO_WARMUP"] = "1";
            return Process.Start(psi)!;
        }).ToList();
        var runs = await Task.WhenAll(processes.Select(p => FinishAsync(p)));
        foreach (var p in processes) p.Dispose();

        Assert.All(runs, r => Assert.Equal("0 0", r.Lines.FirstOrDefault(l => !l.StartsWith("STDERR", StringComparison.Ordinal))));
        Assert.Equal(400, AppliedState.Load(path).Entries.Count);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}

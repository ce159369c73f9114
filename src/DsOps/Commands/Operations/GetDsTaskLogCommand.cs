using System.Globalization;
using System.Management.Automation;
using DsOps.Engine.Operations.Logs;
using DsOps.Infrastructure;

namespace DsOps.Commands.Operations;

/// <summary>
/// <para type="synopsis">Reads the log of task instances: the whole log or its last lines.</para>
/// <para type="description">Asks DS for the log page by page (skipLineNum/limit, on the route the connected version has) and
/// writes it line by line as it arrives, so a log of millions of lines streams through without being held in memory.
/// -Tail keeps only the last N lines. Task instances come by id or from the pipeline (Get-DsTaskInstance,
/// Get-DsFailedTask). Any secret value DsOps knows of (tokens, passwords, webhook keys) is masked in the text.
/// When the worker that ran the task cannot serve its log (worker down, log file gone), the error is
/// DsTaskLogUnavailable and the next task instance is read.</para>
/// </summary>
/// <example><code>Get-DsTaskLog 4711 -Tail 50</code><para>Shows the last 50 lines of the log of task instance 4711.</para></example>
/// <example><code>Get-DsFailedTask -Since (Get-Date).AddHours(-12) | Get-DsTaskLog -Tail 20</code><para>Shows the last 20 lines of every task that failed in the last 12 hours.</para></example>
/// <example><code>Get-DsTaskInstance -Project etl -WorkflowInstanceId 812 -TaskName load | Get-DsTaskLog -Raw | Set-Content load.log</code><para>Saves the whole log of one task as a text file, line by line.</para></example>
[Cmdlet(VerbsCommon.Get, "DsTaskLog")]
[OutputType(typeof(DsTaskLogLine), typeof(string))]
public sealed class GetDsTaskLogCommand : DsApiCmdlet
{
    private readonly Dictionary<string, long?> _projectCodes = new(StringComparer.Ordinal);

    /// <summary><para type="description">Id of the task instance whose log to read.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Id of the task instance whose log to read.")]
    [Alias("Id")]
    [ValidateRange(1, int.MaxValue)]
    public int TaskInstanceId { get; set; }

    /// <summary><para type="description">The task instance's project (name or code). Optional; with it, DS versions before
    /// 3.4.2 use the project-scoped log route.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The task instance's project (name or code); optional.")]
    [Alias("ProjectCode")]
    [ProjectCompleter]
    public DsProjectParameter? Project { get; set; }

    /// <summary><para type="description">Task name shown on the lines (taken from piped task instances).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Task name shown on the lines (from piped task instances).")]
    [Alias("Name")]
    public string? Task { get; set; }

    /// <summary><para type="description">Only the last N lines of the log.</para></summary>
    [Parameter(HelpMessage = "Only the last N lines of the log.")]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary><para type="description">Lines per request to DS (default 1000; DS 3.3+ may cap it lower).</para></summary>
    [Parameter(HelpMessage = "Lines per request to DS (default 1000).")]
    [ValidateRange(1, 100_000)]
    public int? PageLines { get; set; }

    /// <summary><para type="description">Write the lines as plain strings instead of line objects.</para></summary>
    [Parameter(HelpMessage = "Write plain strings instead of line objects.")]
    public SwitchParameter Raw { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var request = new TaskLogRequest
            {
                TaskInstanceId = TaskInstanceId, ProjectCode = ProjectCode(), Task = string.IsNullOrEmpty(Task) ? null : Task,
                Tail = Tail, PageLines = PageLines,
            };
            var lines = TaskLogReader.ReadAsync(Client, request, CancellationToken);
            if (Raw) WriteEach(Select(lines));
            else WriteEach(lines);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException and not PipelineClosedException)
        {
            WriteDsError(ex, TaskInstanceId.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static async IAsyncEnumerable<string> Select(IAsyncEnumerable<DsTaskLogLine> lines)
    {
        await foreach (var line in lines.ConfigureAwait(false)) yield return line.Text;
    }

    /// <summary>The project as a code: digits are a code; a name is looked up once per name (unknown names use log/detail).</summary>
    private long? ProjectCode()
    {
        if (Project is null) return null;
        if (Project.Code is { } code) return code;
        if (_projectCodes.TryGetValue(Project.ToString(), out var known)) return known;
        long? resolved;
        try
        {
            resolved = ResolveProject(Project).ProjectCode;
        }
        catch (Engine.DsOpsException ex) when (ex.Kind == Engine.DsErrorKind.NotFound)
        {
            WriteVerbose($"Project '{Project}' is not visible to this user; reading logs without the project.");
            resolved = null;
        }
        return _projectCodes[Project.ToString()] = resolved;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DsOps.Emulator.Simulation;

/// <summary>
/// What a simulated worker does with a task, decided only by the task's content so runs are repeatable:
/// a script's <c>sleep N</c> commands add up to its run time (at least 1 s), and <c>exit N</c> with N ≠ 0
/// makes it fail. Other task types succeed after 1 s. A line <c>fail-until-fixed NAME</c> makes the task fail until a
/// test declares NAME fixed (POST /emulator/fix/NAME, or <see cref="SimulatedMaster.MarkFixed"/>): a failure, a fix,
/// then a rerun from failure that succeeds, as after fixing the data or the script a task reads.
/// </summary>
public static partial class TaskOutcome
{
    [GeneratedRegex(@"\bsleep\s+(\d+(?:\.\d+)?)([smhd]?)\b")]
    private static partial Regex SleepPattern();

    [GeneratedRegex(@"\bexit\s+([1-9]\d*)\b")]
    private static partial Regex ExitPattern();

    [GeneratedRegex(@"\bfail-until-fixed\s+(\S+)")]
    private static partial Regex FailUntilFixedPattern();

    public static (TimeSpan Duration, bool Succeeds) Evaluate(string taskType, string? taskParams, Func<string, bool>? isFixed = null)
    {
        string script = "";
        try
        {
            if (JsonNode.Parse(taskParams ?? "{}") is JsonObject o)
                script = (o["rawScript"] ?? o["sql"])?.GetValue<string>() ?? "";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException) { }
        var seconds = 0.0;
        foreach (Match m in SleepPattern().Matches(script))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            seconds += m.Groups[2].Value switch { "m" => n * 60, "h" => n * 3600, "d" => n * 86400, _ => n };
        }
        var duration = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(seconds)));
        var broken = FailUntilFixedPattern().Matches(script).Any(m => isFixed is null || !isFixed(m.Groups[1].Value));
        return (duration, !ExitPattern().IsMatch(script) && !broken);
    }
}

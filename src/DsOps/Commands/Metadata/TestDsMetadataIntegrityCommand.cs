using System.Management.Automation;
using DsOps.Engine.Metadata;
using DsOps.Infrastructure;

namespace DsOps.Commands.Metadata;

/// <summary>
/// <para type="synopsis">Checks the metadata database for the inconsistencies behind known DS failures.</para>
/// <para type="description">Read-only. Finds duplicate task and workflow codes, duplicate (code, version) history rows,
/// relations pointing at missing tasks, orphaned task definitions, schedules of missing workflows, running instances
/// without a master host and commands for missing workflows. Each finding says what it means, how DS gets there and
/// what to do, with evidence rows. Checks that find nothing are returned only with -IncludePassed.</para>
/// </summary>
/// <example runnable="true"><code>Test-DsMetadataIntegrity | Format-List Check, Summary, Meaning, Remedy</code><para>Runs every integrity check and shows what each finding means and how to fix it.</para></example>
[Cmdlet(VerbsDiagnostic.Test, "DsMetadataIntegrity")]
[OutputType(typeof(DsIntegrityFinding))]
public sealed class TestDsMetadataIntegrityCommand : DsMetadataCmdlet
{
    /// <summary><para type="description">Run only these checks (by id, e.g. DuplicateTaskDefinitionCode).</para></summary>
    [Parameter(Position = 0, HelpMessage = "Run only these checks (ids such as DuplicateTaskDefinitionCode, RunningInstanceWithoutHost).")]
    [CheckCompleter]
    [SupportsWildcards]
    public string[]? Check { get; set; }

    /// <summary><para type="description">Evidence rows kept per finding (default 50).</para></summary>
    [Parameter(HelpMessage = "Evidence rows kept per finding (default 50).")]
    [ValidateRange(0, 100000)]
    public int MaxEvidence { get; set; } = 50;

    /// <summary><para type="description">Also return checks that found nothing (Severity Ok).</para></summary>
    [Parameter(HelpMessage = "Also return checks that found nothing (Severity Ok).")]
    public SwitchParameter IncludePassed { get; set; }

    protected override void EndProcessing()
    {
        var checker = new IntegrityChecker(ResolveMetadataConnection());
        // Wildcards pick from the catalogue; a plain id is passed on, so an unknown one fails with DsUnknownIntegrityCheck.
        var ids = Check is { Length: > 0 }
            ? Check.SelectMany(c => DsOps.Engine.Text.Wildcard.HasWildcards(c)
                ? checker.CheckIds.Where(id => new DsOps.Engine.Text.Wildcard(c).IsMatch(id))
                : new[] { c }).Distinct(StringComparer.OrdinalIgnoreCase).ToArray()
            : checker.CheckIds.ToArray();
        // One check at a time so progress and results reach the pipeline as each finishes.
        for (var i = 0; i < ids.Length; i++)
        {
            WriteProgressPercent(1, "Test-DsMetadataIntegrity", ids[i], i, ids.Length);
            var id = ids[i];
            foreach (var f in Run(() => checker.RunAsync(new[] { id }, MaxEvidence, CancellationToken)))
                if (IncludePassed || f.Severity != DsIntegritySeverity.Ok) WriteObject(f);
        }
        WriteProgressPercent(1, "Test-DsMetadataIntegrity", "done", ids.Length, ids.Length);
    }
}

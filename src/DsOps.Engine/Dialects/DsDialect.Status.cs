namespace DsOps.Engine.Dialects;

// DS API status codes (docs/ds-facts.md §2.3): codes are stable, names changed in 3.3 (PROCESS_* → WORKFLOW_*).
public sealed partial class DsDialect
{
    /// <summary>
    /// Which table of the embedded status catalog (ds-status.tsv, first column) names this version's API status codes:
    /// one table per family, 3.3 and later share the 3.3 table.
    /// </summary>
    internal string StatusTableName => Family switch
    {
        "3.0" => "3.0.1",
        "3.1" => "3.1.9",
        "3.2" => "3.2.2",
        _ => "3.3-dev",
    };
}

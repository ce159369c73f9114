using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Gets DolphinScheduler projects.</para>
/// <para type="description">Lists the projects the connected user can see, all pages streamed. -Name takes wildcards;
/// a name without wildcards that matches no project writes a DsProjectNotFound error.
/// Projects pipe into Get-DsWorkflow and Get-DsWorkflowInstance by their ProjectCode.</para>
/// <example runnable="true"><code>Get-DsProject</code><para>Lists every project.</para></example>
/// <example runnable="true"><code>Get-DsProject -Name 'demo_*' | Get-DsWorkflow</code><para>Lists the workflows of every project whose name starts with etl_.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsProject", DefaultParameterSetName = "Name")]
[OutputType(typeof(DsProject))]
public sealed class GetDsProjectCommand : DsApiCmdlet
{
    /// <summary>Project names; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = "Name", HelpMessage = "Project names; wildcards allowed.")]
    [SupportsWildcards]
    [ProjectCompleter]
    public string[]? Name { get; set; }

    /// <summary>Project codes (a separate parameter set: -Name and -Code together would be ambiguous).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Code", HelpMessage = "Project codes.")]
    public long[]? Code { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (Code is { Length: > 0 })
            {
                foreach (var code in Code) WriteObject(Await(Client.GetProjectAsync(code, CancellationToken)));
                return;
            }
            var patterns = Wildcards.Compile(Name);
            // A single literal name narrows the server-side search.
            var search = Name is [var only] && !DsOps.Engine.Text.Wildcard.HasWildcards(only) ? only : null;
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // -Name matches ignoring case
            WriteEach(Client.GetProjectsAsync(search, CancellationToken), p =>
            {
                if (!Wildcards.Matches(patterns, p.Name)) return false;
                found.Add(p.Name);
                return true;
            });
            // A literal name that matches nothing is an error (as with Get-Item or Get-Service); a wildcard is not.
            foreach (var literal in Name ?? [])
                if (!DsOps.Engine.Text.Wildcard.HasWildcards(literal) && !found.Contains(literal))
                    WriteDsError(Client.ProjectNotFound(literal), literal);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Name ?? (object?)Code);
        }
    }
}

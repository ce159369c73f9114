using System.Management.Automation;
using DsOps.Engine.Models;
using DsOps.Infrastructure;

namespace DsOps.Commands;

/// <summary>
/// <para type="synopsis">Gets DolphinScheduler projects.</para>
/// <para type="description">Lists the projects the connected user can see, all pages streamed. -Name takes wildcards.
/// Projects pipe into Get-DsWorkflow and Get-DsWorkflowInstance by their ProjectCode.</para>
/// <example><code>Get-DsProject</code><para>Lists every project.</para></example>
/// <example><code>Get-DsProject -Name 'etl_*' | Get-DsWorkflow</code><para>Lists the workflows of every project whose name starts with etl_.</para></example>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DsProject")]
[OutputType(typeof(DsProject))]
public sealed class GetDsProjectCommand : DsApiCmdlet
{
    /// <summary>Project names; wildcards allowed.</summary>
    [Parameter(Position = 0, HelpMessage = "Project names; wildcards allowed.")]
    [SupportsWildcards]
    [ProjectCompleter]
    public string[]? Name { get; set; }

    /// <summary>Project codes.</summary>
    [Parameter(HelpMessage = "Project codes.")]
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
            var search = Name is [var only] && !WildcardPattern.ContainsWildcardCharacters(only) ? only : null;
            WriteEach(Client.GetProjectsAsync(search, CancellationToken), p => Wildcards.Matches(patterns, p.Name));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteDsError(ex, Name ?? (object?)Code);
        }
    }
}

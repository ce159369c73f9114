# A team's own health check, run next to DsOps's adapter (docs/inspection.md, "Pester").
# Same conventions as the catalogue: a Describe per check with a stable name and a Quick/Deep tag, an It per target.
param([string[]] $CoreProject = @('etl'))

BeforeDiscovery {
    # Each core project must exist on the connected server.
    $projects = @($CoreProject | ForEach-Object { @{ Name = $_ } })
}

Describe 'Team.CoreProjectsPresent' -Tag 'Quick', 'Team' {
    It '<Name>' -ForEach $projects {
        $found = Get-DsProject -Name $Name -ErrorAction SilentlyContinue
        $found | Should -Not -BeNullOrEmpty -Because "the core project '$Name' must exist on the cluster"
    }
}

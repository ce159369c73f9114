<#
.SYNOPSIS
    Pester adapter for DsOps's health checks: one Describe per check, one It per target.

.DESCRIPTION
    The checks live in DsOps (C#); this file only turns Invoke-DsHealthCheck's results into Pester tests, so the
    catalogue runs the same under Pester 5.7+ and Pester 6 (Should -Be, Set-ItResult and New-PesterConfiguration only;
    no Assert-MockCalled). The checks run once, at discovery; each It reports one target.

      Pass    -> passed
      Warn    -> passed, with the message in the test output (-FailOnWarning: failed)
      Fail    -> failed: "Expected 'Pass', because <message> (measured ...; threshold ...) Remediation: ..., but got 'Fail'."
      Error   -> failed
      Skipped -> skipped, with the reason

    Each Describe carries the check's tags (Quick, Deep, Node, ...), so Pester's own Filter.Tag / ExcludeTag work too.
    Connect-DsServer / Connect-DsMetadata first (in the same session), or pass -Connection / -MetadataConnection data.

.EXAMPLE
    $adapter = Join-Path (Get-Module DsOps).ModuleBase 'DsOps.Health.Tests.ps1'
    $config = New-PesterConfiguration
    $config.Run.Container = New-PesterContainer -Path $adapter -Data @{ Tag = 'Quick'; ConfigPath = './health.yaml' }
    $config.Run.Exit = $true
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'JUnitXml'
    Invoke-Pester -Configuration $config

    Runs the quick checks; the process exits non-zero when one fails and writes a JUnit file.

.NOTES
    Your own checks: put *.Tests.ps1 files next to your job and add them as more containers
    (New-PesterContainer -Path $adapter, ./checks). Tag their Describe blocks Quick or Deep so the same filters apply.
    See docs/inspection.md, "Pester".
#>
param(
    [string[]] $Check,
    [string[]] $Tag,
    [string[]] $ExcludeCheck,
    [string] $Baseline,
    [string] $ConfigPath,
    [hashtable] $Threshold,
    [object] $Connection,
    [object] $MetadataConnection,
    [switch] $FailOnWarning
)

BeforeDiscovery {
    $parameters = @{ ErrorAction = 'Stop' }
    foreach ($name in 'Check', 'Tag', 'ExcludeCheck', 'Baseline', 'ConfigPath', 'Threshold', 'Connection', 'MetadataConnection') {
        $value = Get-Variable -Name $name -ValueOnly -ErrorAction SilentlyContinue
        if ($null -ne $value -and "$value" -ne '') { $parameters[$name] = $value }
    }
    $checks = @(Invoke-DsHealthCheck @parameters | Group-Object -Property CheckId | ForEach-Object {
            @{
                Id      = $_.Name
                Tags    = @($_.Group[0].Tags)
                Targets = @($_.Group | ForEach-Object { @{ Target = $_.Target; Result = $_ } })
            }
        })
}

foreach ($healthCheck in $checks) {
    Describe $healthCheck.Id -Tag $healthCheck.Tags {
        It '<Target>' -ForEach $healthCheck.Targets {
            switch ($Result.Status.ToString()) {
                'Skipped' { Set-ItResult -Skipped -Because $Result.Message }
                'Warn' {
                    if (-not $FailOnWarning) {
                        Write-Host "WARN $($Result.CheckId) $($Result.Target): $($Result.Message)"
                        return
                    }
                }
            }
            $because = $Result.Message
            if ($Result.Measured) { $because += " (measured $($Result.Measured); threshold $($Result.Threshold))" }
            if ($Result.Remediation) { $because += " Remediation: $($Result.Remediation)" }
            $Result.Status.ToString() | Should -Be 'Pass' -Because $because
        }
    }
}

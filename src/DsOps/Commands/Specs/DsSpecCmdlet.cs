using System.Management.Automation;
using DsOps.Engine.Specs.Sources;
using DsOps.Infrastructure;
using DsOps.Engine.Specs.Validation;
using DsOps.Engine.Orchestration;

namespace DsOps.Commands.Specs;

/// <summary>Base of the cmdlets that read workflow specs from files: the shared source parameters.</summary>
public abstract class DsSpecCmdlet : DsCmdlet
{
    /// <summary>
    /// <para type="description">Spec file or folder: a folder of DsOps YAML files, one YAML file, a DS export JSON file, or a pydolphinscheduler YAML file.</para>
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Spec file or folder (DsOps YAML, DS export JSON or pydolphinscheduler YAML).")]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary><para type="description">Read the specs from a MySQL/MariaDB config table instead of files (see New-DsConfigTable).</para></summary>
    [Parameter(HelpMessage = "MySQL connection string of the database holding the config table (prefer -Credential for the password).")]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary><para type="description">User and password for -ConnectionString.</para></summary>
    [Parameter(HelpMessage = "User and password for -ConnectionString.")]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary><para type="description">Config table name (default dsops_workflow_config).</para></summary>
    [Parameter(HelpMessage = "Config table name (default dsops_workflow_config).")]
    [ValidateNotNullOrEmpty]
    public string TableName { get; set; } = ConfigTableSource.DefaultTable;

    /// <summary><para type="description">Folder that script_source paths of the config table are relative to.</para></summary>
    [Parameter(HelpMessage = "Folder that script_source paths in the config table are relative to.")]
    [ValidateNotNullOrEmpty]
    public string? ScriptRoot { get; set; }

    /// <summary><para type="description">Format of -Path. Auto decides from the path and content: a folder whose YAML files are all pydolphinscheduler files is read as pydolphinscheduler YAML.</para></summary>
    [Parameter(HelpMessage = "Format of -Path: Auto, Yaml, DsExport or PyDolphinScheduler.")]
    public SpecFormat Format { get; set; } = SpecFormat.Auto;

    /// <summary><para type="description">Environment (e.g. UAT, PROD) whose name mapping from the environments file is applied.</para></summary>
    [Parameter(HelpMessage = SpecLoading.EnvironmentHelp)]
    [ValidateNotNullOrEmpty]
    [SpecEnvironmentCompleter]
    public string? Environment { get; set; }

    /// <summary><para type="description">Environments file; defaults to environments.yaml in the spec folder.</para></summary>
    [Parameter(HelpMessage = SpecLoading.EnvironmentFileHelp)]
    [ValidateNotNullOrEmpty]
    public string? EnvironmentFile { get; set; }

    /// <summary>The project for spec files that do not name one (-Project), as its name; null when not given.</summary>
    protected abstract string? DefaultProject { get; }

    /// <summary><para type="description">pydolphinscheduler settings for its YAML (by attribute name or dotted path), e.g. @{ WORKFLOW_PROJECT = 'etl'; 'default.user.tenant' = 'etl' }. They win over PYDS_* environment variables, pyds's configuration file and pyds's defaults, and fill ${CONFIG.key} macros.</para></summary>
    [Parameter(HelpMessage = "pydolphinscheduler settings (WORKFLOW_PROJECT or default.workflow.project...) for its YAML and ${CONFIG.key} macros.")]
    public System.Collections.Hashtable? PyDsConfig { get; set; }

    /// <summary><para type="description">A DS connection (Connect-DsServer): checks the specs against that server's names and version, or reads the server's workflows as specs.</para></summary>
    [Parameter(HelpMessage = "A DS connection: check against, compare with or read from that server.")]
    public DsOps.Engine.Api.DsConnection? Connection { get; set; }

    /// <summary>
    /// Version and name checks of the specs against a server (<see cref="WorkflowSyncService.ValidateAgainstServerAsync"/>).
    /// A failure to read the server's names stops the command with the failure's own stable id.
    /// </summary>
    protected (IReadOnlyList<SpecFinding> Version, IReadOnlyList<SpecFinding> Names) ValidateAgainstServer(
        IReadOnlyList<DsOps.Engine.Specs.Model.WorkflowSpec> workflows, DsOps.Engine.Api.DsConnection connection)
    {
        try
        {
            var host = OperationHost;
            return host.Run(() => new WorkflowSyncService(connection, host).ValidateAgainstServerAsync(workflows, CancellationToken));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowDsError(ex, SourceLabel);
            throw; // not reached: ThrowDsError stops the pipeline
        }
    }

    /// <summary>The server's current workflows of <paramref name="projects"/> as specs (two requests per project).</summary>
    protected DsOps.Engine.Apply.DsServerSnapshot ReadServer(DsOps.Engine.Api.DsConnection connection, IReadOnlyCollection<string> projects)
    {
        var host = OperationHost;
        return host.Run(() => new WorkflowSyncService(connection, host).ReadServerAsync(projects, null, CancellationToken));
    }

    /// <summary>The request for -Path, with provider paths resolved against the current location.</summary>
    protected SpecSourceRequest Request(string path, SpecFormat format) => SpecLoading.Request(this, new SpecLoading.Options(ResolvePath(path))
    {
        Format = format, Environment = Environment, EnvironmentFile = EnvironmentFile is null ? null : ResolvePath(EnvironmentFile),
        Project = DefaultProject, PyDsConfig = PyDsConfig,
    }, Interpolated);

    /// <summary>Loads from -Path or from the config table (exactly one must be given); validates when asked.</summary>
    protected SpecSet LoadSpecs(bool validate)
    {
        if ((Path is null) == (ConnectionString is null))
            throw new ArgumentException("Give either -Path (spec files) or -ConnectionString (config table), not both or neither.");
        if (Path is not null)
        {
            var loaded = SpecLoading.LoadFiles(this, Request(Path, Format), validate, SourceLabel);
            EnvironmentRequiresExistingProject = loaded.EnvironmentRequiresExistingProject;
            return loaded.Set;
        }
        var options = Request(".", Format).ToOptionsFor(ScriptRoot is null ? null : ResolvePath(ScriptRoot));
        EnvironmentRequiresExistingProject = options.Overlay?.RequireExistingProject == true;
        ConfigRows = Await(ConfigTableSource.ReadRowsAsync(DsConnectionStrings.With(ConnectionString!, Credential), TableName, DefaultProject, CancellationToken));
        var set = ConfigTableSource.ToSpecs(ConfigRows, TableName, ScriptRoot is null ? null : ResolvePath(ScriptRoot), new GitScriptSourceResolver(), options);
        return validate ? new SpecSet(set.Workflows, set.Findings.Concat(SpecValidator.Validate(set.Workflows)).ToList()) : set;
    }

    /// <summary>The <c>${env:NAME}</c> values this invocation substituted (plans show the reference instead).</summary>
    protected DsOps.Engine.Specs.Loading.InterpolatedValues Interpolated { get; } = new();

    /// <summary>The -Environment's entry in the environments file says <c>requireExistingProject: true</c>.</summary>
    protected bool EnvironmentRequiresExistingProject { get; private set; }

    /// <summary>The config-table rows read by <see cref="LoadSpecs"/> (null for files).</summary>
    protected IReadOnlyList<ConfigTableRow>? ConfigRows { get; private set; }

    /// <summary>The loaded specs with what the engine's rules need of their source.</summary>
    internal LoadedSpecs Loaded(SpecSet set) => new()
    {
        Set = set, SourceLabel = SourceLabel, ConfigRows = ConfigRows, TableName = TableName, Interpolated = Interpolated,
        EnvironmentRequiresExistingProject = EnvironmentRequiresExistingProject,
    };

    /// <summary>
    /// The last-applied state file: -StatePath, else .dsops-state.json in the spec folder (null with -NoState or when
    /// the specs are not a folder). Sync and Compare use the same file, so Compare shows the deletes Sync would do.
    /// </summary>
    protected string? StateFilePath(string? statePath, bool noState) =>
        noState ? null : statePath is not null ? ResolvePath(statePath)
        : Path is not null ? SpecLoading.DefaultStatePath(ResolvePath(Path)) : null;

    /// <summary>What the specs are read from, for messages and error targets (never the connection string).</summary>
    protected string SourceLabel => Path ?? $"config table {TableName}";

    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>Writes loader findings: errors as non-terminating errors, warnings as warnings.</summary>
    protected void WriteLoadFindings(IEnumerable<SpecFinding> findings) => WorkflowSyncService.Report(OperationHost, findings);
}

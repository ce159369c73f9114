using DsOps.Commands;
using DsOps.Engine.Orchestration;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Sources;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Infrastructure;

/// <summary>
/// The one definition of the spec-loading options every cmdlet that reads workflow spec files shares (Sync-,
/// Compare-, Test-DsWorkflowSpec ... and Initialize-DsCluster -Workflows): their help text and how they become an
/// engine <see cref="SpecSourceRequest"/> and <see cref="LoadedSpecs"/>.
/// </summary>
internal static class SpecLoading
{
    public const string EnvironmentHelp = "Environment whose mapping from environments.yaml is applied (e.g. UAT, PROD).";
    public const string EnvironmentFileHelp = "Environments file; default: environments.yaml in the spec folder.";

    /// <summary>The options as given on the command line; paths are provider paths resolved by the cmdlet.</summary>
    public sealed record Options(string Path)
    {
        public SpecFormat Format { get; init; } = SpecFormat.Auto;
        public string? Environment { get; init; }
        public string? EnvironmentFile { get; init; }
        public string? Project { get; init; }
        public System.Collections.Hashtable? PyDsConfig { get; init; }
    }

    /// <summary>The engine request for <paramref name="options"/>; load progress goes to the cmdlet's progress stream.</summary>
    public static SpecSourceRequest Request(DsCmdlet cmdlet, Options options, InterpolatedValues interpolated) => new(options.Path)
    {
        Format = options.Format,
        Environment = options.Environment,
        EnvironmentFile = options.EnvironmentFile,
        DefaultProject = options.Project,
        PyDs = options.PyDsConfig is null ? null : new PyDsOptions
        {
            Config = options.PyDsConfig.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "", StringComparer.Ordinal),
            Project = options.Project,
        },
        Interpolated = interpolated,
        // Loading runs synchronously on the pipeline thread, so progress can be written directly.
        Progress = (done, total, file) => cmdlet.OperationHost.Progress(41, "Reading workflow specs",
            file.Length == 0 ? "done" : System.IO.Path.GetFileName(file), total <= 0 ? 0 : (int)Math.Min(100, done * 100L / total), done >= total),
    };

    /// <summary>Loads spec files (validated when asked), with the Git provenance of their script files.</summary>
    public static LoadedSpecs LoadFiles(DsCmdlet cmdlet, SpecSourceRequest request, bool validate, string sourceLabel)
    {
        var fileOptions = request.ToOptions();
        var loaded = validate ? SpecSources.LoadAndValidate(request.Path, request.Format, fileOptions, request.PyDs)
            : SpecSources.Load(request.Path, request.Format, fileOptions, request.PyDs);
        return new LoadedSpecs
        {
            Set = WithGitProvenance(cmdlet, loaded), SourceLabel = sourceLabel, Interpolated = request.Interpolated ?? new InterpolatedValues(),
            EnvironmentRequiresExistingProject = fileOptions.Overlay?.RequireExistingProject == true,
        };
    }

    /// <summary>Script files in a Git work tree get their provenance (repository, path, commit), kept on the server by Sync.</summary>
    private static SpecSet WithGitProvenance(DsCmdlet cmdlet, SpecSet set)
    {
        var git = new DsOps.Engine.Provenance.GitWorkTreeProvenance();
        var workflows = git.Annotate(set.Workflows);
        foreach (var note in git.Notes) cmdlet.WriteVerbose(note);
        return ReferenceEquals(workflows, set.Workflows) ? set : new SpecSet(workflows, set.Findings) { ProjectDescriptions = set.ProjectDescriptions };
    }

    /// <summary>Default last-applied state file of a spec folder (null for a single file): Sync and Compare share it.</summary>
    public static string? DefaultStatePath(string resolvedSpecPath) =>
        Directory.Exists(resolvedSpecPath) ? System.IO.Path.Combine(resolvedSpecPath, DsOps.Engine.Planning.AppliedState.DefaultFileName) : null;
}

using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// What a caller (a cmdlet) asks to load: a path, its format, an optional environment from an
/// environments file, a default project. One place resolves these into a <see cref="SpecSet"/>.
/// </summary>
public sealed record SpecSourceRequest(string Path)
{
    public SpecFormat Format { get; init; } = SpecFormat.Auto;
    /// <summary>Environment name in the environments file (Test, UAT, PROD...); null = no overlay.</summary>
    public string? Environment { get; init; }
    /// <summary>Environments file; default: environments.yaml in the spec folder (or beside the spec file).</summary>
    public string? EnvironmentFile { get; init; }
    public string? DefaultProject { get; init; }
    public Func<string, string?>? EnvironmentVariables { get; init; }
    /// <summary>Load progress (files done, total, current file); see <see cref="SpecLoadOptions.Progress"/>.</summary>
    public Action<int, int, string>? Progress { get; init; }
    /// <summary>Collects substituted <c>${env:NAME}</c> values (see <see cref="InterpolatedValues"/>).</summary>
    public InterpolatedValues? Interpolated { get; init; }

    /// <summary>Options for a non-file source (config table): environments file looked up in <paramref name="folder"/>.</summary>
    internal SpecLoadOptions ToOptionsFor(string? folder) => (this with { Path = folder ?? Directory.GetCurrentDirectory() }).ToOptions();

    internal SpecLoadOptions ToOptions()
    {
        EnvironmentOverlay? overlay = null;
        if (Environment is not null)
        {
            var file = EnvironmentFile ?? System.IO.Path.Combine(Directory.Exists(Path) ? Path : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!, YamlSpecSource.EnvironmentsFileName);
            if (!File.Exists(file))
                throw new DsOpsException(DsErrorKind.InvalidInput, "DsSpecEnvironmentsNotFound",
                    $"-Environment {Environment} needs an environments file; '{file}' does not exist (use -EnvironmentFile).");
            overlay = EnvironmentOverlay.Load(file, Environment);
        }
        return SpecLoadOptions.Default with { Overlay = overlay, DefaultProject = DefaultProject, EnvironmentVariables = EnvironmentVariables, Progress = Progress, Interpolated = Interpolated };
    }

    /// <summary>pydolphinscheduler settings (${CONFIG.key} values) for that format.</summary>
    public PyDsOptions? PyDs { get; init; }

    public SpecSet Load() => SpecSources.Load(Path, Format, ToOptions(), PyDs);

    public SpecSet LoadAndValidate() => SpecSources.LoadAndValidate(Path, Format, ToOptions(), PyDs);
}

using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>Spec file formats DsOps reads.</summary>
public enum SpecFormat
{
    /// <summary>Decide from the path: folder or .yaml = DsOps YAML (pydolphinscheduler YAML when it has top-level 'tasks:'), .json = DS export.</summary>
    Auto,
    /// <summary>DsOps workflow YAML (docs/workflows-as-config.md).</summary>
    Yaml,
    /// <summary>DS batch-export JSON (3.0-3.3 shapes).</summary>
    DsExport,
    /// <summary>pydolphinscheduler YAML (workflow: / tasks:), one workflow per file.</summary>
    PyDolphinScheduler,
}

/// <summary>The one entry point that reads specs from a path in any supported file format.</summary>
public static class SpecSources
{
    public static SpecSet Load(string path, SpecFormat format = SpecFormat.Auto, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
    {
        options ??= SpecLoadOptions.Default;
        if (format == SpecFormat.Auto) format = Detect(path);
        var set = format switch
        {
            SpecFormat.Yaml => YamlSpecSource.Load(path, options),
            SpecFormat.DsExport => DsExportFile.Load(path, options),
            SpecFormat.PyDolphinScheduler => PyDolphinSchedulerSource.Load(path, options, pyds),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return set;
    }

    /// <summary>Loads, then runs the offline validation rules over the result.</summary>
    public static SpecSet LoadAndValidate(string path, SpecFormat format = SpecFormat.Auto, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
    {
        var set = Load(path, format, options, pyds);
        var findings = set.Findings.Concat(SpecValidator.Validate(set.Workflows)).ToList();
        return new SpecSet(set.Workflows, findings) { ProjectDescriptions = set.ProjectDescriptions };
    }

    public static SpecFormat Detect(string path)
    {
        if (Directory.Exists(path)) return SpecFormat.Yaml;
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return SpecFormat.DsExport;
        return PyDolphinSchedulerSource.LooksLikePyDs(path) ? SpecFormat.PyDolphinScheduler : SpecFormat.Yaml;
    }
}

using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Validation;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Specs.Sources;

/// <summary>Spec file formats DsOps reads.</summary>
public enum SpecFormat
{
    /// <summary>Decide from the path and content (see <see cref="SpecSources.Detect"/>).</summary>
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
    internal static SpecSet Load(string path, SpecFormat format = SpecFormat.Auto, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
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
        IO.NativeHeap.Trim(); // the parsers' JIT and thread arenas are done with (IO/NativeHeap.cs)
        return set;
    }

    /// <summary>Loads, then runs the offline validation rules over the result.</summary>
    internal static SpecSet LoadAndValidate(string path, SpecFormat format = SpecFormat.Auto, SpecLoadOptions? options = null, PyDsOptions? pyds = null)
    {
        var set = Load(path, format, options, pyds);
        var findings = set.Findings.Concat(SpecValidator.Validate(set.Workflows)).ToList();
        return new SpecSet(set.Workflows, findings) { ProjectDescriptions = set.ProjectDescriptions };
    }

    /// <summary>
    /// The format of a path: a folder whose YAML files are all pydolphinscheduler files is pyds, any other folder
    /// DsOps YAML; a .json file whose root is an array or a workflow element (processDefinition /
    /// workflowDefinition) is a DS export, one whose root object has DsOps keys (project, workflows) is a DsOps
    /// spec; a YAML file with top-level 'workflow:' and 'tasks:' is pyds, any other DsOps YAML.
    /// </summary>
    public static SpecFormat Detect(string path)
    {
        if (Directory.Exists(path)) return DetectFolder(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return DetectJson(path);
        return PyDolphinSchedulerSource.LooksLikePyDs(path) ? SpecFormat.PyDolphinScheduler : SpecFormat.Yaml;
    }

    /// <summary>pyds when every spec file of the folder has pyds's top-level keys (a text check; the first other file decides).</summary>
    private static SpecFormat DetectFolder(string folder)
    {
        var any = false;
        foreach (var file in YamlSpecSource.SpecFiles(folder))
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (IOException) { return SpecFormat.Yaml; }
            if (!PyDolphinSchedulerSource.TextLooksLikePyDs(text)) return SpecFormat.Yaml;
            any = true;
        }
        return any ? SpecFormat.PyDolphinScheduler : SpecFormat.Yaml;
    }

    private static readonly string[] DsOpsKeys = { "project", "workflows", "workflow" };

    /// <summary>Reads only the root's top-level property names; unreadable JSON goes to the export reader, which reports it.</summary>
    private static SpecFormat DetectJson(string path)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(File.ReadAllBytes(path),
                new System.Text.Json.JsonReaderOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject) return SpecFormat.DsExport;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (DsDialect.DagDefinitionKeys.Contains(name)) return SpecFormat.DsExport;
                if (DsOpsKeys.Contains(name)) return SpecFormat.Yaml;
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException) { }
        return SpecFormat.DsExport;
    }
}

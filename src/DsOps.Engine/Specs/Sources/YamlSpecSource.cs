using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// DsOps YAML specs: one file, or every *.yaml / *.yml under a folder (sorted, hidden folders and
/// the environments file skipped). A file that cannot be read becomes an error finding; the other
/// files still load, so one run reports everything.
/// </summary>
public static class YamlSpecSource
{
    /// <summary>File name of the per-environment overlay; never read as a spec.</summary>
    public const string EnvironmentsFileName = "environments.yaml";

    public static SpecSet Load(string path, SpecLoadOptions? options = null)
    {
        options ??= SpecLoadOptions.Default;
        var findings = new FindingSink();
        var workflows = new List<WorkflowSpec>();
        var isDir = Directory.Exists(path);
        if (!isDir && !File.Exists(path))
            throw new FileNotFoundException($"Spec path '{path}' does not exist.", path);
        var root = isDir ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var fileOptions = options with { Root = options.Root ?? root };
        var files = isDir ? SpecFiles(root).ToList() : new List<string> { path };

        // Files are parsed in parallel but consumed here in file order, so results, findings and
        // progress (reported on the caller's thread) are the same as a sequential load.
        var loaded = files.AsParallel().AsOrdered()
            .WithDegreeOfParallelism(Math.Clamp(Environment.ProcessorCount, 1, 8))
            .Select(file => LoadFile(file, fileOptions));
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        var done = 0;
        foreach (var file in loaded)
        {
            options.Progress?.Invoke(done++, files.Count, file.Path);
            workflows.AddRange(file.Workflows);
            findings.AddRange(file.Findings);
            foreach (var (project, description) in file.Descriptions)
            {
                if (!descriptions.TryAdd(project, description) && descriptions[project] != description)
                    findings.Warning("ConflictingProjectDescription", new SourceLocation(file.Path),
                        $"project '{project}' has another description in a different file; the first one is used.");
            }
        }
        options.Progress?.Invoke(files.Count, files.Count, "");
        var result = options.Overlay is null ? workflows : workflows.Select(options.Overlay.Apply).ToList();
        return new SpecSet(result, findings.Items) { ProjectDescriptions = descriptions };
    }

    private sealed record LoadedFile(string Path, IReadOnlyList<WorkflowSpec> Workflows, IReadOnlyList<SpecFinding> Findings, IReadOnlyDictionary<string, string> Descriptions);

    private static LoadedFile LoadFile(string file, SpecLoadOptions options)
    {
        var sink = new FindingSink();
        var reader = new SpecDocumentReader(sink, options);
        IReadOnlyList<WorkflowSpec> workflows = Array.Empty<WorkflowSpec>();
        try
        {
            var root = SafeYamlReader.ReadFile(file, options.Limits);
            if (PyDolphinSchedulerSource.LooksLikePyDs(root))
                sink.Error("PyDsFileInYamlFolder", root!.Location,
                    "this is a pydolphinscheduler file (top-level 'workflow:' and 'tasks:'), read here as DsOps YAML because the folder also holds DsOps files; " +
                    "load pydolphinscheduler files with -Format PyDolphinScheduler (a folder of only pydolphinscheduler files is detected as such).");
            else workflows = reader.Read(root, file);
        }
        catch (SpecLoadException ex)
        {
            sink.Error(ex.ErrorId.Replace("DsSpec", ""), ex.Location, ex.Detail);
        }
        return new LoadedFile(file, workflows, sink.Items, reader.ProjectDescriptions);
    }

    /// <summary>Spec files under a folder in a stable (ordinal) order.</summary>
    public static IEnumerable<string> SpecFiles(string folder)
    {
        var files = new List<string>();
        Walk(folder, files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static void Walk(string dir, List<string> into)
    {
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(f);
            if (name.StartsWith('.')) continue;
            if (name.Equals(EnvironmentsFileName, StringComparison.OrdinalIgnoreCase) || name.Equals("environments.yml", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) into.Add(f);
        }
        foreach (var d in Directory.EnumerateDirectories(dir))
            if (!Path.GetFileName(d).StartsWith('.')) Walk(d, into);
    }
}

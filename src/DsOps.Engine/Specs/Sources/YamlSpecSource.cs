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
internal static class YamlSpecSource
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
        var files = isDir ? SpecFiles(root, findings).ToList() : new List<string> { path };

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
            if (done % 8 == 0) IO.NativeHeap.Trim(); // parsing (and compiling the parser) leaves the C heap free as it goes
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

    /// <summary>
    /// Spec files under a folder in a stable (ordinal) order. Symbolic links are followed only while their real
    /// path stays inside the folder; each real folder and file is read once, so a link loop or a second link to the
    /// same folder neither hangs nor duplicates workflows. Links leaving the folder and loops become findings.
    /// </summary>
    public static IEnumerable<string> SpecFiles(string folder, FindingSink? findings = null)
    {
        var files = new List<string>();
        var walk = new WalkState(SpecFileReader.RealPath(folder), findings ?? new FindingSink());
        Walk(Path.GetFullPath(folder), walk, files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private sealed record WalkState(string RealRoot, FindingSink Findings)
    {
        public HashSet<string> Folders { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Files { get; } = new(StringComparer.Ordinal);
    }

    private static void Walk(string dir, WalkState state, List<string> into, string? knownReal = null)
    {
        // An entry that is not a link has its parent's real path plus its name: one readlink, not a whole resolve.
        if ((knownReal ?? RealPath(dir, state)) is not { } real) return;
        if (!SpecFileReader.IsInside(real, state.RealRoot))
        {
            state.Findings.Error("PathOutsideRoot", new SourceLocation(dir), $"folder '{dir}' is a symbolic link to '{real}', outside the spec folder; not read.");
            return;
        }
        if (!state.Folders.Add(real))
        {
            state.Findings.Warning("SymlinkLoop", new SourceLocation(dir), $"folder '{dir}' is a symbolic link to '{real}', which is already read (a link loop or a second link); skipped.");
            return;
        }
        foreach (var f in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(f);
            if (name.StartsWith('.')) continue;
            if (name.Equals(EnvironmentsFileName, StringComparison.OrdinalIgnoreCase) || name.Equals("environments.yml", StringComparison.OrdinalIgnoreCase)) continue;
            if (!name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) continue;
            if ((IsLink(f) ? RealPath(f, state) : Path.Combine(real, name)) is not { } realFile) continue;
            if (!SpecFileReader.IsInside(realFile, state.RealRoot))
                state.Findings.Error("PathOutsideRoot", new SourceLocation(f), $"spec file '{f}' is a symbolic link to '{realFile}', outside the spec folder; not read.");
            else if (state.Files.Add(realFile)) into.Add(f);
        }
        foreach (var d in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            if (!Path.GetFileName(d).StartsWith('.')) Walk(d, state, into, IsLink(d) ? null : Path.Combine(real, Path.GetFileName(d)));
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>The real path, or null with a SymlinkLoop finding when the links loop.</summary>
    private static string? RealPath(string path, WalkState state)
    {
        try
        {
            return SpecFileReader.RealPath(path);
        }
        catch (SpecLoadException ex)
        {
            state.Findings.Error("SymlinkLoop", new SourceLocation(path), ex.Detail);
            return null;
        }
    }
}

using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Compliance;

/// <summary>
/// A user's clone is all there is: nothing in the repository may reach for a folder beside it, and the DS files
/// kept as test data carry DS's license and a NOTICE.
/// </summary>
public class StandAloneRepositoryTests
{
    // Built from parts so that this file does not match itself.
    private static readonly string[] OutsidePaths = { ".." + "/shared", ".." + "\\shared" };
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { ".git", "bin", "obj", "out", "TestResults", "BenchmarkDotNet.Artifacts" };

    [Fact]
    public void No_file_in_the_repository_refers_to_a_folder_beside_it()
    {
        var offenders = new List<string>();
        foreach (var file in RepositoryFiles(RepoPaths.RepoRoot))
        {
            var text = File.ReadAllText(file);
            if (OutsidePaths.Any(p => text.Contains(p, StringComparison.Ordinal)))
                offenders.Add(Path.GetRelativePath(RepoPaths.RepoRoot, file));
        }
        Assert.True(offenders.Count == 0, "Files that refer to a folder outside the repository: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Vendored_DS_files_carry_the_Apache_license_and_a_notice_naming_each_folder()
    {
        var folder = RepoPaths.DsData;
        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(folder, "LICENSE")));
        var notice = File.ReadAllText(Path.Combine(folder, "NOTICE"));
        Assert.Contains("Apache DolphinScheduler", notice);
        foreach (var sub in Directory.GetDirectories(folder))
            Assert.Contains(Path.GetFileName(sub) + "/", notice);
    }

    [Theory]
    [InlineData("3.0.1")]
    [InlineData("3.2.2")]
    [InlineData("3.3-dev")]
    public void The_data_the_emulator_loads_is_in_the_repository(string version)
    {
        Assert.True(File.Exists(RepoPaths.Schema(version)), RepoPaths.Schema(version));
        Assert.True(File.Exists(RepoPaths.Endpoints(version)), RepoPaths.Endpoints(version));
        Assert.True(File.Exists(RepoPaths.StatusTable(version)), RepoPaths.StatusTable(version));
    }

    private static IEnumerable<string> RepositoryFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.GetDirectories(dir))
                if (!SkippedFolders.Contains(Path.GetFileName(sub))) pending.Push(sub);
            foreach (var file in Directory.GetFiles(dir))
                if (new FileInfo(file).Length < 4 * 1024 * 1024) yield return file;
        }
    }
}

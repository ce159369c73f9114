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

    [Fact]
    public void Every_cited_section_of_the_fact_pages_exists()
    {
        // Code and docs cite "docs/ds-facts.md §N.M" and "docs/chat-robots.md §N.M"; a renumbered or missing
        // section would leave the citation pointing nowhere.
        var sections = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var page in new[] { "ds-facts", "chat-robots" })
        {
            var path = Path.Combine(RepoPaths.RepoRoot, "docs", page + ".md");
            Assert.True(File.Exists(path), path);
            sections[page] = File.ReadLines(path)
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^#{2,3}\s+(\d+(?:\.\d+)?)[.\s]"))
                .Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        }
        var citation = new System.Text.RegularExpressions.Regex(@"(ds-facts|chat-robots)\.md`?\s*§(\d+(?:\.\d+)?)");
        var dangling = new List<string>();
        var cited = 0;
        foreach (var file in RepositoryFiles(RepoPaths.RepoRoot).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal)))
        {
            foreach (System.Text.RegularExpressions.Match m in citation.Matches(File.ReadAllText(file)))
            {
                cited++;
                if (!sections[m.Groups[1].Value].Contains(m.Groups[2].Value))
                    dangling.Add($"{Path.GetRelativePath(RepoPaths.RepoRoot, file)}: {m.Value}");
            }
        }
        Assert.True(cited > 50, $"only {cited} citations found; the pattern no longer matches how code cites the pages");
        Assert.True(dangling.Count == 0, "Citations of sections that do not exist: " + string.Join(", ", dangling));
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

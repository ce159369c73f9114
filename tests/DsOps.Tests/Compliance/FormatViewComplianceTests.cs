using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using System.Xml.Linq;
using DsOps.Commands;
using DsOps.Engine.Models;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Compliance;

/// <summary>
/// Default views (module/DsOps/*.Format.ps1xml) for every type the module's cmdlets declare with [OutputType]:
/// each has one, each table fits a 120-column terminal, each column names a property that exists or a script that parses.
/// </summary>
public class FormatViewComplianceTests
{
    private const int TerminalWidth = 120;
    /// <summary>Room counted for a last column without a width (it takes what is left).</summary>
    private const int MinimumLastColumn = 10;

    private static readonly string ModuleFolder = Path.Combine(RepoPaths.RepoRoot, "module", "DsOps");

    private sealed record View(string File, string Name, string TypeName, XElement Element);

    private static List<View> Views() =>
        Directory.GetFiles(ModuleFolder, "*.Format.ps1xml").OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(f => XDocument.Load(f).Descendants("View").Select(v => new View(Path.GetFileName(f), (string)v.Element("Name")!,
                (string)v.Element("ViewSelectedBy")!.Element("TypeName")!, v)))
            .ToList();

    /// <summary>Every type a DsOps cmdlet declares it writes (our own models; strings and primitives need no view).</summary>
    public static IEnumerable<object[]> OutputTypes() =>
        typeof(DsCmdlet).Assembly.GetTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
            .SelectMany(t => t.GetCustomAttributes<OutputTypeAttribute>()).SelectMany(o => o.Type).Select(t => t.Type)
            .Where(t => t is not null && t != typeof(void) && !t.IsPrimitive && t != typeof(string) && t.Namespace?.StartsWith("DsOps", StringComparison.Ordinal) == true)
            .Select(t => t!).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal).Select(t => new object[] { t.FullName! });

    private static Type? Resolve(string typeName) =>
        typeof(DsCmdlet).Assembly.GetType(typeName) ?? typeof(DsOps.Engine.DsOpsException).Assembly.GetType(typeName);

    [Fact]
    public void The_module_declares_output_types() => Assert.True(OutputTypes().Count() >= 30, $"only {OutputTypes().Count()} output types found");

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void Every_output_type_has_a_default_view_that_fits_120_columns(string typeName)
    {
        var view = Views().FirstOrDefault(v => v.TypeName == typeName);
        Assert.True(view is not null, $"{typeName} has no default view in module/DsOps/*.Format.ps1xml");
        if (view!.Element.Element("TableControl") is { } table) AssertFits(view, table);
    }

    [Fact]
    public void Every_table_view_fits_120_columns_and_names_what_exists()
    {
        var views = Views();
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            var type = Resolve(view.TypeName);
            Assert.True(type is not null, $"{view.File} view {view.Name} selects {view.TypeName}, which is not a DsOps type");
            foreach (var p in view.Element.Descendants("PropertyName").Select(e => e.Value))
                Assert.True(type!.GetProperty(p) is not null, $"{view.File} view {view.Name}: {view.TypeName} has no property {p}");
            foreach (var script in view.Element.Descendants("ScriptBlock").Select(e => e.Value))
            {
                Parser.ParseInput(script, out _, out var errors);
                Assert.True(errors.Length == 0, $"{view.File} view {view.Name}: script '{script}' does not parse");
            }
            if (view.Element.Element("TableControl") is { } table) AssertFits(view, table);
        }
    }

    private static void AssertFits(View view, XElement table)
    {
        var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").ToList();
        var items = table.Descendants("TableColumnItems").First().Elements("TableColumnItem").ToList();
        Assert.True(headers.Count == items.Count, $"{view.File} view {view.Name}: {headers.Count} headers but {items.Count} columns");
        var total = headers.Count - 1; // one space between columns
        for (var i = 0; i < headers.Count; i++)
        {
            var width = (int?)headers[i].Element("Width");
            var label = (string?)headers[i].Element("Label") ?? (string?)items[i].Element("PropertyName") ?? "";
            if (width is null)
            {
                Assert.True(i == headers.Count - 1, $"{view.File} view {view.Name}: column '{label}' has no width (only the last column may take the rest)");
                total += MinimumLastColumn;
                continue;
            }
            Assert.True(label.Length <= width, $"{view.File} view {view.Name}: header '{label}' is wider than its column ({width})");
            total += width.Value;
        }
        Assert.True(total <= TerminalWidth, $"{view.File} view {view.Name} ({view.TypeName}) needs {total} columns, more than {TerminalWidth}");
    }

    [Fact]
    public void Views_show_units_for_server_nodes_durations_and_times()
    {
        var node = Views().Single(v => v.TypeName == typeof(DsServerNode).FullName).Element.ToString();
        foreach (var raw in new[] { "CpuUsage", "MemoryUsage", "LastHeartbeat" })
            Assert.DoesNotContain($"<PropertyName>{raw}</PropertyName>", node);
        Assert.Contains("DsDisplay]::Percent($_.CpuUsage)", node);
        Assert.Contains("DsDisplay]::Ago($_.HeartbeatAge)", node);
        Assert.Contains("DsDisplay]::Gigabytes($_.AvailableMemoryGB)", node);
        // No view prints a raw TimeSpan: durations go through DsDisplay.
        foreach (var view in Views())
        {
            var type = Resolve(view.TypeName)!;
            foreach (var p in view.Element.Descendants("PropertyName").Select(e => e.Value))
            {
                var t = Nullable.GetUnderlyingType(type.GetProperty(p)!.PropertyType) ?? type.GetProperty(p)!.PropertyType;
                Assert.False(t == typeof(TimeSpan), $"{view.File} view {view.Name} shows the TimeSpan {p} raw");
            }
        }
    }

    [Fact]
    public void Display_text_has_units()
    {
        var now = new DateTime(2026, 12, 4, 12, 0, 0);
        Assert.Equal("37 %", DsDisplay.Percent(0.37));
        Assert.Equal("4.5 %", DsDisplay.Percent(0.045));
        Assert.Equal("100 %", DsDisplay.Percent(1));
        Assert.Equal("-", DsDisplay.Percent(null));
        Assert.Equal("7.8 GB", DsDisplay.Gigabytes(7.8));
        Assert.Equal("512 MB", DsDisplay.Gigabytes(0.5));
        Assert.Equal("1.25", DsDisplay.Load(1.25));
        Assert.Equal("12 s ago", DsDisplay.Ago(now.AddSeconds(-12), now));
        Assert.Equal("3 min ago", DsDisplay.Ago(now.AddMinutes(-3).AddSeconds(-20), now));
        Assert.Equal("5 h 02 min ago", DsDisplay.Ago(now.AddHours(-5).AddMinutes(-2), now));
        Assert.Equal("2 d ago", DsDisplay.Ago(now.AddDays(-2), now));
        Assert.Equal("in 30 s", DsDisplay.Ago(now.AddSeconds(30), now));
        Assert.Equal("-", DsDisplay.Ago((DateTime?)null, now));
        Assert.Equal("1 h", DsDisplay.Duration(TimeSpan.FromHours(1)));
        Assert.Equal("2026-12-04 12:00", DsDisplay.When(now));
        Assert.Equal("2026-12-04 12:00", DsDisplay.When(new DateTimeOffset(now, TimeSpan.FromHours(8))));
        Assert.Equal("-", DsDisplay.When(null));
    }

    [Fact]
    public void A_relation_prints_as_task_names()
    {
        Assert.Equal("(start) -> extract", new DsTaskRelation(0, 0, 11, 1) { PostTask = "extract" }.ToString());
        Assert.Equal("extract -> load", new DsTaskRelation(11, 1, 12, 1) { PreTask = "extract", PostTask = "load" }.ToString());
        Assert.Equal("11 -> 12", new DsTaskRelation(11, 1, 12, 1).ToString());
        Assert.Contains(Views(), v => v.TypeName == typeof(DsTaskRelation).FullName);
    }
}

using System.Management.Automation.Runspaces;
using DsOps.Commands;
using Xunit;

namespace DsOps.Tests.Notifications;

public class FormatViewTests
{
    [Fact]
    public void Notification_views_load_and_cover_the_output_types()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(DsCmdlet).Assembly.Location)!, "DsOps.Notifications.Format.ps1xml");
        _ = new FormatTable(new[] { path });   // throws FormatTableLoadException on any malformed view
        var text = File.ReadAllText(path);
        foreach (var type in new[] { typeof(DsOps.Engine.Notifications.NotificationTarget), typeof(DsOps.Engine.Notifications.NotificationDelivery),
                     typeof(DsOps.Engine.Alerting.AlertSweepResult), typeof(DsOps.Engine.Alerting.FailureEvent) })
        {
            Assert.Contains($"<TypeName>{type.FullName}</TypeName>", text);
        }
        // Every PropertyName in a view exists on the type it selects.
        var views = System.Xml.Linq.XDocument.Parse(text).Descendants("View");
        foreach (var view in views)
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = typeof(DsOps.Engine.DsOpsException).Assembly.GetType(typeName)!;
            Assert.NotNull(type);
            foreach (var p in view.Descendants("PropertyName").Select(e => e.Value))
                Assert.True(type.GetProperty(p) is not null, $"{typeName} has no property {p}");
        }
    }
}

using System.Management.Automation;
using System.Reflection;
using DsOps.Commands;
using DsOps.Infrastructure;
using DsOps.Parameters;
using Xunit;

namespace DsOps.Tests.Compliance;

/// <summary>
/// One parameter name = one type, one meaning, one completer, one validation, everywhere (docs/architecture.md
/// "Parameters"). Reflection over every cmdlet: a name with two element types, two completers, two validation sets or
/// two wildcard rules fails, and so does a parameter that names a server object or a fixed set without a completer.
/// </summary>
public class ParameterComplianceTests
{
    private static readonly Assembly ModuleAssembly = typeof(DsCmdlet).Assembly;

    /// <summary>
    /// Names whose meaning is the cmdlet's own by convention, with the reason. The test fails if an entry is no longer
    /// needed (the name became consistent), so this list only shrinks.
    /// </summary>
    private static readonly Dictionary<string, string> OwnMeaning = new(StringComparer.Ordinal)
    {
        ["InputObject"] = "the piped object; its type is the cmdlet's own input type (PowerShell convention)",
        ["Name"] = "the name of the cmdlet's own noun (project, workflow, connection, notification target...)",
        ["Id"] = "the id of the cmdlet's own noun (workflow instance, task instance, command)",
        ["Format"] = "the output format of the cmdlet's own output (spec, report, notification)",
        ["Path"] = "the file or folder the cmdlet reads or writes",
        ["Config"] = "the cluster config file, or a parsed server config on Get-DsTuningAdvice",
        ["Role"] = "server-config roles (files) vs. server-node roles (registry)",
        ["Deadline"] = "one deadline for one workflow (Get-DsCriticalPath) vs. a table of deadlines (Get-DsRunReport)",
        ["Setting"] = "a switch to list settings (Get-DsServerConfig) vs. the settings to write (Set-DsServerConfig)",
        ["Key"] = "keys to read (a list with wildcards) vs. the one key to write",
        ["ConnectionString"] = "a MySQL config-table connection string vs. the metadata database's (a SecureString: it carries the password)",
        ["Credential"] = "Connect-DsServer refuses a null credential in its own parameter set",
        ["StatePath"] = "a file the cmdlet writes; Start-DsBackfill's is optional",
    };

    /// <summary>Parameters that name a server object or a value of a fixed set: each needs a completer.</summary>
    private static readonly HashSet<string> NeedsCompleter = new(StringComparer.Ordinal)
    {
        "Project", "Workflow", "DestinationProject", "TenantCode", "WorkerGroup", "EnvironmentCode", "WarningGroupId",
        "TimeZone", "ServerTimeZone", "Version", "Check", "ExcludeCheck", "CommandType",
        "Environment", "SourceEnvironment", "DestinationEnvironment", "ReferenceEnvironment", "DifferenceEnvironment",
    };

    internal sealed record Param(string Cmdlet, string Name, Type Type, Type Element, bool IsArray, string? Completer, string Validation, bool Wildcards);

    internal static IReadOnlyList<Param> AllParameters() =>
        ModuleAssembly.GetTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttributes<ParameterAttribute>().Any())
                .Select(p => Describe(t, p)))
            .ToList();

    private static Param Describe(Type cmdlet, PropertyInfo p)
    {
        var attr = cmdlet.GetCustomAttribute<CmdletAttribute>()!;
        var type = p.PropertyType;
        var element = type.IsArray ? type.GetElementType()! : type;
        element = Nullable.GetUnderlyingType(element) ?? element;
        var attrs = p.GetCustomAttributes(true);
        var completer = attrs.OfType<ArgumentCompleterAttribute>().Select(a => a.GetType() == typeof(ArgumentCompleterAttribute) ? a.Type?.Name : a.GetType().Name).FirstOrDefault();
        var validation = string.Join(";", attrs.OfType<ValidateArgumentsAttribute>().Select(a => a is ValidateSetAttribute s ? "ValidateSet(" + string.Join(",", s.ValidValues) + ")" : a.GetType().Name).Order(StringComparer.Ordinal));
        return new Param(attr.VerbName + "-" + attr.NounName, p.Name, type, element, type.IsArray, completer, validation, attrs.OfType<SupportsWildcardsAttribute>().Any());
    }

    private static IEnumerable<string> Violations(IGrouping<string, Param> g)
    {
        string List(Func<Param, object?> key) => string.Join("; ", g.GroupBy(key).Select(k => $"{k.Key ?? "none"}: {string.Join(", ", k.Select(p => p.Cmdlet))}"));
        if (g.Select(p => p.Element).Distinct().Count() > 1) yield return $"-{g.Key} has different types ({List(p => p.Element.Name)})";
        if (g.Select(p => p.Completer).Distinct().Count() > 1) yield return $"-{g.Key} has different completers ({List(p => p.Completer)})";
        if (g.Select(p => p.Validation).Distinct().Count() > 1) yield return $"-{g.Key} has different validation ({List(p => p.Validation == "" ? null : p.Validation)})";
        // The wildcard rule: among cmdlets where the parameter is a list (or where it is one value), wildcard support agrees.
        foreach (var arity in g.GroupBy(p => p.IsArray))
            if (arity.Select(p => p.Wildcards).Distinct().Count() > 1)
                yield return $"-{g.Key} ({(arity.Key ? "list" : "single")}) has wildcards on some cmdlets only ({string.Join(", ", arity.Where(p => p.Wildcards).Select(p => p.Cmdlet))})";
    }

    [Fact]
    public void One_parameter_name_has_one_type_completer_validation_and_wildcard_rule()
    {
        var violations = AllParameters().GroupBy(p => p.Name)
            .Where(g => !OwnMeaning.ContainsKey(g.Key))
            .SelectMany(Violations).ToList();
        Assert.True(violations.Count == 0, "Parameter names with more than one meaning:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_rule_flags_two_types_two_completers_two_validations_and_uneven_wildcards()
    {
        var bad = new[]
        {
            new Param("Get-DsA", "Project", typeof(string), typeof(string), false, "ProjectCompleterAttribute", "", false),
            new Param("Get-DsB", "Project", typeof(long), typeof(long), false, null, "ValidateNotNullOrEmptyAttribute", false),
            new Param("Get-DsC", "Project", typeof(string[]), typeof(string), true, "ProjectCompleterAttribute", "", true),
            new Param("Get-DsD", "Project", typeof(string[]), typeof(string), true, "ProjectCompleterAttribute", "", false),
        }.GroupBy(p => p.Name).Single();
        var found = Violations(bad).ToList();
        Assert.Contains(found, v => v.Contains("different types"));
        Assert.Contains(found, v => v.Contains("different completers"));
        Assert.Contains(found, v => v.Contains("different validation"));
        Assert.Contains(found, v => v.Contains("wildcards on some cmdlets only") && v.Contains("Get-DsC"));
        var good = new[]
        {
            new Param("Get-DsA", "Project", typeof(string), typeof(string), false, "P", "", false),
            new Param("Get-DsC", "Project", typeof(string[]), typeof(string), true, "P", "", true),
        }.GroupBy(p => p.Name).Single();
        Assert.Empty(Violations(good));
    }

    [Fact]
    public void Every_exemption_is_still_needed()
    {
        var groups = AllParameters().GroupBy(p => p.Name).ToDictionary(g => g.Key);
        var stale = OwnMeaning.Keys.Where(n => !groups.TryGetValue(n, out var g) || !Violations(g).Any()).ToList();
        Assert.True(stale.Count == 0, "Exemptions no longer needed (remove them): " + string.Join(", ", stale));
    }

    [Fact]
    public void Every_parameter_that_names_a_server_object_or_a_fixed_set_has_a_completer()
    {
        var missing = AllParameters()
            .Where(p => NeedsCompleter.Contains(p.Name) || p.Element == typeof(DsProjectParameter) || p.Element == typeof(DsWorkflowParameter))
            .Where(p => p.Completer is null)
            .Select(p => $"{p.Cmdlet} -{p.Name}").ToList();
        Assert.True(missing.Count == 0, "No completer: " + string.Join(", ", missing));
    }

    [Fact]
    public void Project_and_workflow_parameters_use_the_parameter_types_and_the_list_rule()
    {
        // A -Project/-Workflow names one object (a single value, no wildcards) or selects several (a list with wildcards).
        var wrong = AllParameters()
            .Where(p => p.Name is "Project" or "Workflow" or "DestinationProject")
            .Where(p => p.Element != (p.Name == "Workflow" ? typeof(DsWorkflowParameter) : typeof(DsProjectParameter)) || p.Wildcards != p.IsArray || p.Validation != "")
            .Select(p => $"{p.Cmdlet} -{p.Name} ({p.Type.Name}, wildcards {p.Wildcards}, validation '{p.Validation}')").ToList();
        Assert.True(wrong.Count == 0, "Break the -Project/-Workflow rule: " + string.Join(", ", wrong));
        Assert.True(AllParameters().Count(p => p.Name == "Project") >= 16, "every cmdlet with -Project is found");
    }

    [Fact]
    public void Completer_attributes_on_every_parameter_can_be_created()
    {
        // A completer that cannot be constructed silently completes nothing.
        foreach (var p in AllParameters().Where(p => p.Completer is not null).Select(p => p.Completer!).Distinct())
        {
            var type = ModuleAssembly.GetTypes().Single(t => t.Name == p);
            Assert.IsAssignableFrom<IArgumentCompleter>(Activator.CreateInstance(type));
        }
    }
}

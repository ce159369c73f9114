using System.Reflection;
using DsOps.Commands;
using DsOps.Engine.Api;
using DsOps.Testing;
using Xunit;

namespace DsOps.Tests.Compliance;

/// <summary>
/// The engine's public surface is what the cmdlets need (docs/architecture.md, "Public engine surface"): the exported
/// type set is checked in, so widening it is a deliberate diff, and no public type or member of the engine or the
/// module hands a script the DS client, the HTTP pipeline or the Refit API, i.e. a way to write to DS around
/// ShouldProcess.
/// </summary>
public class EngineSurfaceTests
{
    private static readonly Assembly Engine = typeof(DsConnection).Assembly;
    private static readonly Assembly Module = typeof(DsCmdlet).Assembly;
    private static readonly string ListPath = Path.Combine(RepoPaths.RepoRoot, "tests", "DsOps.Tests", "Compliance", "engine-public-types.txt");
    private const string UpdateVariable = "DSOPS_UPDATE_SURFACE";

    public static IReadOnlyList<string> ExportedTypeNames() =>
        Engine.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

    /// <summary>The exported types equal engine-public-types.txt. Set DSOPS_UPDATE_SURFACE=1 to rewrite the list.</summary>
    [Fact]
    public void Exported_engine_types_equal_the_checked_in_list()
    {
        var actual = ExportedTypeNames();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            File.WriteAllText(ListPath, string.Join("\n", actual) + "\n");

        Assert.True(File.Exists(ListPath), $"{ListPath} is missing; run this test once with {UpdateVariable}=1.");
        var expected = File.ReadAllLines(ListPath).Where(l => l.Length > 0).ToList();
        var added = actual.Except(expected, StringComparer.Ordinal).ToList();
        var removed = expected.Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            "The engine's public types differ from tests/DsOps.Tests/Compliance/engine-public-types.txt.\n" +
            (added.Count > 0 ? $"Now public but not listed ({added.Count}): {string.Join(", ", added)}\n" : "") +
            (removed.Count > 0 ? $"Listed but no longer public ({removed.Count}): {string.Join(", ", removed)}\n" : "") +
            "A type is public only when the cmdlets need it in a signature or on the pipeline; otherwise make it internal " +
            "(tests see internals). If the change is deliberate, rerun with " +
            $"`{UpdateVariable}=1 dotnet test tests/DsOps.Tests --filter EngineSurfaceTests` and commit the list.");
        Assert.Equal(actual, actual.Distinct(StringComparer.Ordinal)); // the list is a set
    }

    public static IEnumerable<object[]> Assemblies() => new[] { new object[] { "DsOps.Engine" }, new object[] { "DsOps" } };

    /// <summary>No public or protected member of a public type exposes a type that can send requests to DS or its database.</summary>
    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_public_member_exposes_the_client_the_http_pipeline_or_Refit(string assemblyName)
    {
        var assembly = assemblyName == "DsOps" ? Module : Engine;
        var leaks = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (IsWritePathType(type))
                leaks.Add($"{type.FullName} is itself public");
            foreach (var (where, t) in SurfaceTypes(type))
                if (Flatten(t).FirstOrDefault(IsWritePathType) is { } bad)
                    leaks.Add($"{type.FullName}.{where} exposes {bad.FullName}");
        }
        Assert.True(leaks.Count == 0,
            "Public surface hands out a raw DS client, HTTP pipeline, Refit or MySqlConnector type (a write path around ShouldProcess); " +
            "make the member or type internal:\n" + string.Join("\n", leaks.Distinct()));
    }

    /// <summary>The test's own rule catches the kind of member it is meant to catch.</summary>
    [Fact]
    public void The_write_path_rule_recognizes_the_client_and_http_types()
    {
        var client = Engine.GetType("DsOps.Engine.Api.DsClient", throwOnError: true)!;
        Assert.False(client.IsVisible);
        Assert.True(IsWritePathType(client));
        Assert.True(IsWritePathType(typeof(HttpClient)));
        Assert.True(IsWritePathType(typeof(HttpMessageHandler)));
        Assert.True(IsWritePathType(typeof(MySqlConnector.MySqlConnection)));
        Assert.Contains(Flatten(typeof(Task<IReadOnlyList<HttpResponseMessage>>)), IsWritePathType);
        Assert.False(IsWritePathType(typeof(DsConnection)));
        // DsConnection is on the pipeline (Connect-DsServer); its client stays inside.
        Assert.DoesNotContain(typeof(DsConnection).GetProperties(), p => IsWritePathType(p.PropertyType));
    }

    /// <summary>
    /// The DS client and anything of the HTTP pipeline (System.Net.Http, DsOps.Engine.Http), Refit, an engine type
    /// declaring Refit routes, or a raw connection to DS's metadata database (MySqlConnector).
    /// </summary>
    private static bool IsWritePathType(Type t)
    {
        if (t.Assembly.GetName().Name is "Refit" or "MySqlConnector") return true;
        if (t.Namespace is { } ns && (ns == "System.Net.Http" || ns.StartsWith("System.Net.Http.", StringComparison.Ordinal) || ns == "DsOps.Engine.Http"))
            return true;
        if (t.Assembly != Engine) return false;
        if (t.FullName is "DsOps.Engine.Api.DsClient" or "DsOps.Engine.Api.DsHttpPipeline") return true;
        return t.IsInterface && t.GetMethods().Any(m => m.GetCustomAttributes().Any(a => a.GetType().Assembly.GetName().Name == "Refit"));
    }

    /// <summary>Every type a script or derived class could reach through <paramref name="type"/>'s public or protected surface.</summary>
    private static IEnumerable<(string Where, Type Type)> SurfaceTypes(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) yield return ("(base)", b);
        foreach (var i in type.GetInterfaces()) yield return ("(interface)", i);
        foreach (var f in type.GetFields(All).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
            yield return (f.Name, f.FieldType);
        foreach (var p in type.GetProperties(All))
            if (new[] { p.GetMethod, p.SetMethod }.Any(m => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)))
                yield return (p.Name, p.PropertyType);
        foreach (var e in type.GetEvents(All).Where(e => e.AddMethod is { } a && (a.IsPublic || a.IsFamily)))
            yield return (e.Name, e.EventHandlerType!);
        foreach (var m in type.GetMethods(All).Where(m => !m.IsSpecialName && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)))
        {
            yield return (m.Name + "()", m.ReturnType);
            foreach (var p in m.GetParameters()) yield return ($"{m.Name}({p.Name})", p.ParameterType);
        }
        foreach (var c in type.GetConstructors(All).Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly))
            foreach (var p in c.GetParameters()) yield return ($".ctor({p.Name})", p.ParameterType);
    }

    /// <summary>A type with its element and generic argument types (Task&lt;List&lt;T&gt;&gt; yields T too).</summary>
    private static IEnumerable<Type> Flatten(Type t)
    {
        if (t.IsGenericParameter) yield break;
        yield return t;
        if (t.HasElementType)
            foreach (var e in Flatten(t.GetElementType()!)) yield return e;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments().SelectMany(Flatten)) yield return a;
    }
}

using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DsOps.Tests.Help;

/// <summary>
/// Builds the module's MAML help (module/DsOps/en-US/DsOps.dll-Help.xml) from the cmdlet classes' XML doc
/// comments, so help lives beside the code it describes. Synopsis and description come from
/// &lt;para type="synopsis|description"&gt; (or the summary's first sentence), parameters from their summaries
/// (or HelpMessage), examples from &lt;example&gt;&lt;code/&gt;&lt;para/&gt;&lt;/example&gt;.
/// </summary>
public static class MamlHelpGenerator
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static string Generate(Assembly assembly, string xmlDocPath)
    {
        var docs = XDocument.Load(xmlDocPath).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m);
        var cmdlets = assembly.GetTypes()
            .Select(t => (Type: t, Attr: t.GetCustomAttribute<CmdletAttribute>()))
            .Where(x => x.Attr is not null && !x.Type.IsAbstract)
            .OrderBy(x => x.Attr!.VerbName + "-" + x.Attr.NounName, StringComparer.Ordinal);

        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev));
        foreach (var (type, attr) in cmdlets)
            root.Add(CommandElement(type, attr!, docs));
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + root.ToString() + "\n";
    }

    private static XElement CommandElement(Type type, CmdletAttribute attr, Dictionary<string, XElement> docs)
    {
        var name = attr.VerbName + "-" + attr.NounName;
        docs.TryGetValue("T:" + type.FullName, out var doc);
        var summary = doc?.Element("summary");
        var synopsis = Para(summary, "synopsis") ?? FirstSentence(Text(summary));
        var description = Para(summary, "description") ?? Text(summary);
        var parameters = Parameters(type, docs).ToList();

        var syntax = new XElement(Command + "syntax");
        var sets = parameters.SelectMany(p => p.Sets).Where(s => s != ParameterAttribute.AllParameterSets).Distinct().DefaultIfEmpty(ParameterAttribute.AllParameterSets);
        foreach (var set in sets)
        {
            var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", name));
            foreach (var p in parameters.Where(p => p.Sets.Contains(set) || p.Sets.Contains(ParameterAttribute.AllParameterSets)))
                item.Add(ParameterElement(p, set));
            syntax.Add(item);
        }

        var outputs = type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type)
            .Select(t => t.Type?.FullName ?? t.Name).Distinct().ToList();
        var inputs = InputTypes(parameters);
        var examples = new XElement(Command + "examples");
        var n = 0;
        foreach (var example in (summary?.Elements("example") ?? Enumerable.Empty<XElement>()).Concat(doc?.Elements("example") ?? Enumerable.Empty<XElement>()))
        {
            n++;
            // runnable="true": the Pester doc tests run the example against the sandbox emulator (docs/testing.md).
            var element = new XElement(Command + "example",
                new XElement(Maml + "title", $"-------------------------- Example {n} --------------------------"),
                new XElement(Dev + "code", Text(example.Element("code"))),
                new XElement(Dev + "remarks", new XElement(Maml + "para", Text(example.Element("para")))));
            if ((string?)example.Attribute("runnable") == "true") element.Add(new XAttribute("runnable", "true"));
            examples.Add(element);
        }

        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", name),
                new XElement(Command + "verb", attr.VerbName),
                new XElement(Command + "noun", attr.NounName),
                new XElement(Maml + "description", new XElement(Maml + "para", synopsis))),
            new XElement(Maml + "description", new XElement(Maml + "para", description)),
            syntax,
            new XElement(Command + "parameters", parameters.Select(p => ParameterElement(p, null))),
            new XElement(Command + "inputTypes", inputs.Select(i =>
                new XElement(Command + "inputType", new XElement(Dev + "type", new XElement(Maml + "name", i.Name)),
                    new XElement(Maml + "description", new XElement(Maml + "para", i.Description))))),
            new XElement(Command + "returnValues", outputs.Select(o =>
                new XElement(Command + "returnValue", new XElement(Dev + "type", new XElement(Maml + "name", o))))),
            examples);
    }

    /// <summary>
    /// What the pipeline can bind: each type a parameter takes by value, and the parameters that bind by property
    /// name (grouped by type). "None" when the cmdlet takes no pipeline input.
    /// </summary>
    private static List<(string Name, string Description)> InputTypes(IReadOnlyList<ParamInfo> parameters)
    {
        static string TypeName(Type t) => (Nullable.GetUnderlyingType(t) ?? (t.IsArray ? t.GetElementType()! : t)).FullName!;
        var byValue = parameters.Where(p => p.PipelineInput.Contains("ByValue", StringComparison.Ordinal))
            .Select(p => (Name: TypeName(p.Type), Description: $"Objects of this type bind to -{p.Name}."));
        var byName = parameters.Where(p => p.PipelineInput.Contains("ByPropertyName", StringComparison.Ordinal))
            .GroupBy(p => TypeName(p.Type), StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Description: "Any object whose properties are named like these parameters (or their aliases) binds by property name: " +
                string.Join(", ", g.Select(p => "-" + p.Name + (p.Aliases.Length > 0 ? " (" + string.Join(", ", p.Aliases) + ")" : ""))) + "."));
        var list = byValue.Concat(byName).ToList();
        return list.Count > 0 ? list : new List<(string, string)> { ("None", "This cmdlet takes no pipeline input.") };
    }

    private sealed record ParamInfo(string Name, Type Type, string Description, bool Mandatory, string Position, string PipelineInput, bool Globbing, string[] Aliases, string[] Sets);

    private static IEnumerable<ParamInfo> Parameters(Type type, Dictionary<string, XElement> docs)
    {
        // A cmdlet may redeclare (hide with `new`) a base parameter to give it its own parameter sets: keep the most derived.
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .GroupBy(p => p.Name).Select(g => g.OrderByDescending(p => Depth(p.DeclaringType)).First());
        foreach (var prop in props.OrderBy(p => p.MetadataToken))
        {
            var attrs = prop.GetCustomAttributes<ParameterAttribute>().ToList();
            if (attrs.Count == 0) continue;
            var doc = FindPropertyDoc(prop, docs);
            var description = Text(doc?.Element("summary"));
            if (string.IsNullOrWhiteSpace(description)) description = attrs.Select(a => a.HelpMessage).FirstOrDefault(h => !string.IsNullOrEmpty(h)) ?? "";
            var first = attrs[0];
            var pipeline = attrs.Any(a => a.ValueFromPipeline) ? (attrs.Any(a => a.ValueFromPipelineByPropertyName) ? "True (ByValue, ByPropertyName)" : "True (ByValue)")
                : attrs.Any(a => a.ValueFromPipelineByPropertyName) ? "True (ByPropertyName)" : "False";
            yield return new ParamInfo(prop.Name, prop.PropertyType, description, attrs.Any(a => a.Mandatory),
                first.Position >= 0 ? first.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named",
                pipeline, prop.GetCustomAttribute<SupportsWildcardsAttribute>() is not null,
                prop.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToArray() ?? Array.Empty<string>(),
                attrs.Select(a => a.ParameterSetName).ToArray());
        }
    }

    private static int Depth(Type? t)
    {
        var n = 0;
        for (; t is not null; t = t.BaseType) n++;
        return n;
    }

    private static XElement? FindPropertyDoc(PropertyInfo prop, Dictionary<string, XElement> docs)
    {
        for (var t = prop.DeclaringType; t is not null; t = t.BaseType)
        {
            var typeName = t.IsGenericType ? t.GetGenericTypeDefinition().FullName : t.FullName;
            if (docs.TryGetValue($"P:{typeName}.{prop.Name}", out var d)) return d;
        }
        return null;
    }

    private static XElement ParameterElement(ParamInfo p, string? set)
    {
        var typeName = p.Type == typeof(SwitchParameter) ? "SwitchParameter" : (Nullable.GetUnderlyingType(p.Type) ?? p.Type).Name;
        var e = new XElement(Command + "parameter",
            new XAttribute("required", p.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.Type.IsArray ? "true" : "false"),
            new XAttribute("globbing", p.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", p.PipelineInput),
            new XAttribute("position", p.Position),
            new XAttribute("aliases", p.Aliases.Length == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            new XElement(Maml + "description", new XElement(Maml + "para", p.Description)));
        if (p.Type != typeof(SwitchParameter))
            e.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), typeName));
        e.Add(new XElement(Dev + "type", new XElement(Maml + "name", p.Type.FullName)));
        return e;
    }

    private static string? Para(XElement? summary, string kind) =>
        summary?.Elements("para").FirstOrDefault(x => (string?)x.Attribute("type") == kind) is { } para ? Text(para) : null;

    private static string Text(XElement? e)
    {
        if (e is null) return "";
        var parts = e.Nodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "example" } => "",
            XElement { Name.LocalName: "para" } x when x.Attribute("type") is not null => "",
            XElement { Name.LocalName: "see" } x => ((string?)x.Attribute("cref"))?.Split('.').Last() ?? x.Value,
            XElement x => Text(x),
            _ => "",
        });
        return Regex.Replace(string.Concat(parts), @"\s+", " ").Trim();
    }

    private static string FirstSentence(string text)
    {
        var i = text.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? text : text[..(i + 1)];
    }
}

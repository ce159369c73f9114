using System.Globalization;

namespace DsOps.Emulator.Hosting;

/// <summary>DS's Status enum for one version, read from tests/third_party/dolphinscheduler/status/status_&lt;ver&gt;.tsv (code, name, English message).</summary>
public sealed class StatusCatalog
{
    private readonly Dictionary<string, (int Code, string Message)> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (string Name, string Message)> _byCode = new();

    public static StatusCatalog Load(string path)
    {
        var c = new StatusCatalog();
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            var cols = line.Split('\t');
            if (cols.Length < 3 || !int.TryParse(cols[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
                throw new FormatException($"{path}:{lineNo}: expected 'code<TAB>NAME<TAB>message'.");
            c._byName[cols[1]] = (code, cols[2]);
            // Several names share a code (e.g. 50004, 50017); the first listed wins for lookups by code.
            c._byCode.TryAdd(code, (cols[1], cols[2]));
        }
        return c;
    }

    public bool Contains(string name) => Resolve(name) is not null;

    /// <summary>Looks a status up by name; a ≤3.2 PROCESS_* name also finds 3.3's WORKFLOW_* rename (same code).</summary>
    public (int Code, string Name, string Template) ByName(string name) =>
        Resolve(name) is { } n ? (_byName[n].Code, n, _byName[n].Message)
            : throw new KeyNotFoundException($"Status {name} is not in this DS version's status table.");

    private string? Resolve(string name)
    {
        if (_byName.ContainsKey(name)) return name;
        var renamed = name.Replace("PROCESS", "WORKFLOW", StringComparison.Ordinal);
        return _byName.ContainsKey(renamed) ? renamed : null;
    }

    public (int Code, string Name, string Template) ByCode(int code) =>
        _byCode.TryGetValue(code, out var v) ? (code, v.Name, v.Message)
            : throw new KeyNotFoundException($"Status code {code} is not in this DS version's status table.");

    /// <summary>Fills {0}, {1}… the way java.text.MessageFormat does for plain arguments.</summary>
    public static string Format(string template, params object?[] args)
    {
        var s = template;
        for (var i = 0; i < args.Length; i++)
            s = s.Replace("{" + i + "}", Convert.ToString(args[i], CultureInfo.InvariantCulture) ?? "null", StringComparison.Ordinal);
        return s;
    }
}

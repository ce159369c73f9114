using System.Globalization;
using System.Management.Automation;
using DsOps.Engine.Api;
using DsOps.Engine.Models;

namespace DsOps.Parameters;

/// <summary>
/// The value of every -Project parameter (after dbatools' DbaInstanceParameter): a project name (wildcards where the
/// parameter is a list), a numeric project code, a <see cref="DsProject"/>, or any object with a ProjectCode or Name
/// property. PowerShell converts the argument through the constructors; <see cref="ResolveAsync"/> finds the project
/// through the connection's name cache (<see cref="DsClient.ResolveProjectAsync(string, CancellationToken)"/>), so a
/// name is looked up once per connection.
/// </summary>
public sealed class DsProjectParameter
{
    /// <summary>The project name or name pattern; null when only a code was given.</summary>
    public string? Name { get; }

    /// <summary>The project code when one was given (digits, a number or an object's ProjectCode).</summary>
    public long? Code { get; }

    /// <summary>A name containing wildcard characters (only list parameters accept them).</summary>
    public bool IsWildcard => Code is null && Name is not null && DsOps.Engine.Text.Wildcard.HasWildcards(Name);

    public DsProjectParameter(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A project is a name, a numeric code or a project object; got an empty string.", nameof(value));
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code)) Code = code;
        else Name = value;
    }

    public DsProjectParameter(long code)
    {
        if (code <= 0) throw new ArgumentOutOfRangeException(nameof(code), code, "A project code is a positive number.");
        Code = code;
    }

    public DsProjectParameter(int code) : this((long)code) { }

    public DsProjectParameter(DsProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        Code = project.ProjectCode;
        Name = project.Name;
    }

    /// <summary>Any object with a ProjectCode (preferred) or a Name/ProjectName property, e.g. a PSCustomObject or a DsWorkflow.</summary>
    public DsProjectParameter(object value)
    {
        var (code, name) = Properties(value, "ProjectCode", "ProjectName", "Name");
        if (code is null && string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"Cannot use a {TypeName(value)} as a project: pass a name, a numeric code, or an object with a ProjectCode or Name property.", nameof(value));
        Code = code;
        Name = code is null ? name!.Trim() : name;
    }

    /// <summary>The project on <paramref name="client"/>'s server (cached per connection); DsProjectNotFound when it does not exist.</summary>
    internal Task<DsProject> ResolveAsync(DsClient client, CancellationToken ct = default)
    {
        if (IsWildcard) throw new ArgumentException($"-Project: '{Name}' has wildcards, but this parameter names exactly one project.", "Project");
        return Code is { } code ? client.ResolveProjectAsync(code, ct) : client.ResolveProjectAsync(Name!, ct);
    }

    /// <summary>
    /// The projects <paramref name="values"/> name, in order and without repeats: wildcards match the server's project
    /// list; a name or code without wildcards that does not exist is DsProjectNotFound (a typo is not an empty result).
    /// </summary>
    internal static async Task<IReadOnlyList<DsProject>> ResolveAllAsync(DsClient client, IEnumerable<DsProjectParameter> values, CancellationToken ct = default)
    {
        var found = new List<DsProject>();
        var seen = new HashSet<long>();
        foreach (var value in values)
        {
            if (!value.IsWildcard)
            {
                var p = await value.ResolveAsync(client, ct).ConfigureAwait(false);
                if (seen.Add(p.ProjectCode)) found.Add(p);
                continue;
            }
            var pattern = new DsOps.Engine.Text.Wildcard(value.Name!);
            foreach (var p in await client.GetProjectListAsync(ct).ConfigureAwait(false))
                if (pattern.IsMatch(p.Name) && seen.Add(p.ProjectCode)) found.Add(p);
        }
        return found;
    }

    /// <summary>Whether a project (by name and code) is one this value names: for filters that never call the API (metadata reads).</summary>
    public bool Matches(string? name, long code) =>
        Code is { } c ? c == code : name is not null && new DsOps.Engine.Text.Wildcard(Name!).IsMatch(name);

    /// <summary>The text the user would type: the name, or the code.</summary>
    public override string ToString() => Name ?? Code!.Value.ToString(CultureInfo.InvariantCulture);

    internal static (long? Code, string? Name) Properties(object value, string codeProperty, params string[] nameProperties)
    {
        ArgumentNullException.ThrowIfNull(value);
        var ps = value as PSObject ?? new PSObject(value);
        long? code = null;
        if (ps.Properties[codeProperty]?.Value is { } c)
        {
            try { code = LanguagePrimitives.ConvertTo<long>(c is PSObject p ? p.BaseObject : c); }
            catch (PSInvalidCastException) { code = null; }
        }
        string? name = null;
        foreach (var n in nameProperties)
            if (ps.Properties[n]?.Value is { } v && v.ToString() is { Length: > 0 } s) { name = s; break; }
        return (code is > 0 ? code : null, name);
    }

    internal static string TypeName(object value) => (value is PSObject p ? p.BaseObject : value).GetType().Name;
}

/// <summary>Lists of project and workflow values as the text filters the engine's readers take (names or codes).</summary>
public static class DsParameterText
{
    public static string[]? Texts(this IEnumerable<DsProjectParameter>? values) => values?.Select(v => v.ToString()).ToArray();

    public static string[]? Texts(this IEnumerable<DsWorkflowParameter>? values) => values?.Select(v => v.ToString()).ToArray();
}

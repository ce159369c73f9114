using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DsOps.Engine.Provenance;

/// <summary>
/// Where a task's script came from in Git: the repository (its remote URL without credentials, or the local
/// work-tree path when it has no remote), the file's path inside the repository and the commit that last changed
/// the file at the revision that was read. Read back from DS, <see cref="ScriptHash"/> is the hash of the script
/// as DsOps applied it and <see cref="AppliedAt"/> the task definition's last save time on the server.
/// </summary>
public sealed record ScriptProvenance(string Repository, string Path, string Commit)
{
    /// <summary>First 16 hex digits of the SHA-256 of the applied script (UTF-8); null in desired specs.</summary>
    public string? ScriptHash { get; init; }

    /// <summary>When DS last saved the task definition, on the server's clock (server copies only).</summary>
    public DateTime? AppliedAt { get; init; }

    /// <summary>Same repository, path and commit (hash and time are not identity).</summary>
    public bool SameSource(ScriptProvenance? other) =>
        other is not null && Repository == other.Repository && Path == other.Path && Commit == other.Commit;

    /// <summary>Same repository and path (the commit may differ).</summary>
    public bool SameFile(ScriptProvenance? other) => other is not null && Repository == other.Repository && Path == other.Path;

    public string ShortCommit => Commit.Length > 12 ? Commit[..12] : Commit;

    /// <summary>"repository#path@commit" with the commit shortened to 12 digits.</summary>
    public override string ToString() => $"{Repository}#{Path}@{ShortCommit}";

    /// <summary>The hash recorded in markers: first 16 hex digits of SHA-256 of the UTF-8 text ("" for none).</summary>
    public static string HashScript(string? script) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(script ?? "")))[..16].ToLowerInvariant();
}

/// <summary>
/// The provenance marker DsOps keeps in a task definition's description, on its own last line:
/// <c>[dsops git=&lt;repository&gt;#&lt;path&gt;@&lt;commit&gt; script=&lt;hash&gt;]</c>. The description column is TEXT in
/// every supported DS version and DS's 255-character description check applies to workflows and projects, not task
/// definitions (docs/promotion-and-provenance.md). The user's description is kept intact above the marker: reading
/// splits it off again, so plans compare the user's text and the provenance separately and the marker never shows
/// as a description change. Characters that would break the marker (%, whitespace, #, @, [, ]) are %-escaped.
/// </summary>
internal static partial class ProvenanceMarker
{
    [GeneratedRegex(@"(?:\r?\n)?\[dsops git=(?<repo>[^\s#@\[\]]+)#(?<path>[^\s#@\[\]]+)@(?<commit>[0-9a-f]{7,64})(?: script=(?<hash>[0-9a-f]{16}))?\][ \t\r\n]*\z")]
    private static partial Regex Marker();

    /// <summary>
    /// The description DS stores: the user's text, then the marker line (no marker without provenance). The hash is
    /// the one read back when the provenance came from a server (rewriting a server copy keeps what was applied),
    /// else the hash of <paramref name="script"/>.
    /// </summary>
    public static string Append(string? description, ScriptProvenance? provenance, string? script)
    {
        if (provenance is null) return description ?? "";
        var marker = $"[dsops git={Escape(provenance.Repository)}#{Escape(provenance.Path)}@{provenance.Commit} script={provenance.ScriptHash ?? ScriptProvenance.HashScript(script)}]";
        return string.IsNullOrEmpty(description) ? marker : description + "\n" + marker;
    }

    /// <summary>Splits a stored description into the user's text (null when empty) and the provenance (null when none).</summary>
    public static (string? Description, ScriptProvenance? Provenance) Split(string? stored)
    {
        if (string.IsNullOrEmpty(stored) || !stored.Contains("[dsops git=", StringComparison.Ordinal)) return (Blank(stored), null);
        var m = Marker().Match(stored);
        if (!m.Success) return (Blank(stored), null);
        var provenance = new ScriptProvenance(Unescape(m.Groups["repo"].Value), Unescape(m.Groups["path"].Value), m.Groups["commit"].Value)
        {
            ScriptHash = m.Groups["hash"].Success ? m.Groups["hash"].Value : null,
        };
        return (Blank(stored[..m.Index]), provenance);
    }

    /// <summary>"repository#path@commit" with the full commit (the spec key <c>gitSource</c>).</summary>
    public static string FormatSource(ScriptProvenance p) => $"{p.Repository}#{p.Path}@{p.Commit}";

    [GeneratedRegex(@"^(?<repo>.+)#(?<path>[^#]+)@(?<commit>[0-9a-f]{7,64})$")]
    private static partial Regex Source();

    /// <summary>Parses "repository#path@commit" (the spec key <c>gitSource</c>).</summary>
    public static bool TryParseSource(string text, out ScriptProvenance? provenance)
    {
        var m = Source().Match(text.Trim());
        provenance = m.Success ? new ScriptProvenance(m.Groups["repo"].Value, m.Groups["path"].Value, m.Groups["commit"].Value) : null;
        return m.Success;
    }

    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in s)
        {
            if (ch is '%' or '#' or '@' or '[' or ']' || char.IsWhiteSpace(ch) || char.IsControl(ch))
                foreach (var b in Encoding.UTF8.GetBytes(ch.ToString())) sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(ch);
        }
        return sb.ToString();
    }

    private static string Unescape(string s) => s.Contains('%') ? Uri.UnescapeDataString(s) : s;
}

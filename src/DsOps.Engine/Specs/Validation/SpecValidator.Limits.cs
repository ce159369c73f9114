using System.Text;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Specs.Validation;

// DS's own limits, checked offline (issue 13 item 10): names and descriptions against the column sizes and DS's
// validators, characters MySQL's 3-byte utf8 cannot store, and the size of what a workflow write sends.
public static partial class SpecValidator
{
    private static void CheckLimits(WorkflowSpec w, DsLimits limits, FindingSink sink, bool versionSpecific)
    {
        // The version-specific pass reports only what the any-version pass (offline) did not already report.
        var any = DsDialect.AnyVersionLimits;
        bool Over(int length, int limit, int anyLimit) => length > limit && !(versionSpecific && length > anyLimit);
        var version = versionSpecific ? " in this DS version" : "";
        if (Over(w.Project.Length, limits.ProjectName, any.ProjectName))
            sink.Error("NameTooLong", w.Location, $"project name is {w.Project.Length:N0} characters; DS stores at most {limits.ProjectName}{version}.", Short(w.Name));
        if (Over(w.Name.Length, limits.WorkflowName, any.WorkflowName))
            sink.Error("NameTooLong", w.Location, $"workflow name is {w.Name.Length:N0} characters; DS stores at most {limits.WorkflowName}{version}.", Short(w.Name));
        foreach (var t in w.Tasks.Where(t => Over(t.Name.Length, limits.TaskName, any.TaskName)))
            sink.Error("NameTooLong", t.Location, $"task name is {t.Name.Length:N0} characters; DS stores at most {limits.TaskName}{version}.", Short(w.Name), Short(t.Name));
        if (versionSpecific) return; // the rest holds for every version and ran offline already

        if (w.Description is { } d && CodePoints(d) > limits.WorkflowDescription)
            sink.Error("DescriptionTooLong", w.Location, $"workflow description is {CodePoints(d):N0} characters; DS refuses more than {limits.WorkflowDescription} (DS error 1400004).", Short(w.Name));
        foreach (var t in w.Tasks)
            if (t.Description is { } td && Encoding.UTF8.GetByteCount(td) > limits.TextColumnBytes)
                sink.Error("DescriptionTooLong", t.Location, $"task description is {Encoding.UTF8.GetByteCount(td):N0} bytes; DS's TEXT column holds {limits.TextColumnBytes:N0}.", Short(w.Name), Short(t.Name));

        if (DsDialect.MySqlStoresOnlyThreeByteUtf8)
        {
            void Names(string? text, string what, SourceLocation at, string? task)
            {
                if (FirstSupplementary(text) is { } c)
                    sink.Error("UnsupportedCharacter", at, $"{what} contains '{c}' (U+{char.ConvertToUtf32(c[0], c[1]):X}), which DS's MySQL schema (utf8, 3 bytes per character) cannot store.", Short(w.Name), task);
            }
            Names(w.Project, "project name", w.Location, null);
            Names(w.Name, "workflow name", w.Location, null);
            Names(w.Description, "workflow description", w.Location, null);
            foreach (var t in w.Tasks)
            {
                Names(t.Name, "task name", t.Location, Short(t.Name));
                Names(t.Description, "task description", t.Location, Short(t.Name));
                var other = FirstSupplementary(t.Script) ?? FirstSupplementary(t.Params) ?? t.Parameters.Select(p => FirstSupplementary(p.Value)).FirstOrDefault(x => x is not null);
                if (other is not null)
                    sink.Warning("UnsupportedCharacter", t.Location, $"the script or parameters of task '{Short(t.Name)}' contain '{other}', which a DS on MySQL (utf8, 3 bytes per character) cannot store; a DS on PostgreSQL can.", Short(w.Name), Short(t.Name));
            }
            if (w.Parameters.Select(p => FirstSupplementary(p.Value) ?? FirstSupplementary(p.Name)).FirstOrDefault(x => x is not null) is { } gp)
                sink.Warning("UnsupportedCharacter", w.Location, $"global parameters contain '{gp}', which a DS on MySQL (utf8, 3 bytes per character) cannot store.", Short(w.Name));
        }
        CheckWriteSize(w, limits, sink);
    }

    /// <summary>
    /// The size of the workflow write: global parameters and task locations are TEXT columns, and the whole form
    /// must fit the API server's form limit. Measured on the real wire form (DsWireConverter, placeholder ids and
    /// 13-digit task codes like DS's), only for workflows big enough to come near a limit.
    /// </summary>
    private static void CheckWriteSize(WorkflowSpec w, DsLimits limits, FindingSink sink)
    {
        long text = 0;
        foreach (var t in w.Tasks) text += (t.Script?.Length ?? 0) + t.Params.Length + (t.Description?.Length ?? 0);
        var paramText = w.Parameters.Sum(p => (long)p.Name.Length + p.Value.Length + 40);
        if (w.Tasks.Length < 500 && text < 1_000_000 && paramText < limits.TextColumnBytes / 2) return;

        var codes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in w.Tasks) codes.TryAdd(t.Name, 1_000_000_000_000 + codes.Count);
        DsWireWorkflow wire;
        try
        {
            wire = new DsWireConverter(DsDialect.V3_2, PlaceholderNames.Instance).ToWire(w with { Schedule = null }, codes);
        }
        catch (DsOpsException)
        {
            return; // other rules report what the converter cannot handle
        }
        var globalBytes = Encoding.UTF8.GetByteCount(wire.GlobalParams);
        if (globalBytes > limits.TextColumnBytes)
            sink.Error("WorkflowTooLarge", w.Location, $"the {w.Parameters.Length:N0} global parameters take {globalBytes:N0} bytes; DS's TEXT column (global_params) holds {limits.TextColumnBytes:N0}.", Short(w.Name));
        var locationBytes = Encoding.UTF8.GetByteCount(wire.Locations);
        if (locationBytes > limits.TextColumnBytes)
            sink.Error("WorkflowTooLarge", w.Location, $"the layout of {w.Tasks.Length:N0} tasks takes about {locationBytes:N0} bytes; DS's TEXT column (locations) holds {limits.TextColumnBytes:N0} (about {limits.TextColumnBytes / Math.Max(1, locationBytes / Math.Max(1, w.Tasks.Length)):N0} tasks). Split the workflow.", Short(w.Name));
        var form = FormBytes(wire.TaskDefinitionJson) + FormBytes(wire.TaskRelationJson) + FormBytes(wire.Locations) + FormBytes(wire.GlobalParams) + FormBytes(wire.Name) + FormBytes(wire.Description);
        if (form > limits.FormPostBytes)
            sink.Error("WorkflowTooLarge", w.Location, $"writing this workflow sends about {form:N0} bytes; DS's API server accepts forms up to {limits.FormPostBytes:N0} (max-http-form-post-size). Split the workflow or move scripts to resources.", Short(w.Name));
    }

    /// <summary>Bytes of a value in an application/x-www-form-urlencoded body.</summary>
    private static long FormBytes(string value)
    {
        long n = 0;
        foreach (var b in Encoding.UTF8.GetBytes(value))
            n += b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'*' or (byte)' ' ? 1 : 3;
        return n;
    }

    private static int CodePoints(string s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++, n++)
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
        return n;
    }

    private static string? FirstSupplementary(string? s)
    {
        if (s is null) return null;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) return s.Substring(i, 2);
        return null;
    }

    /// <summary>Names in findings are shortened so a 10,000-character name does not flood the output.</summary>
    private static string Short(string s) => s.Length <= 80 ? s : s[..77] + "...";

    /// <summary>Resolves every name to a placeholder id: the wire form's size does not depend on the real ids.</summary>
    private sealed class PlaceholderNames : IDsNameResolver
    {
        public static readonly PlaceholderNames Instance = new();
        public (long Id, string Type)? DataSource(string name) => (1, "MYSQL");
        public (string Name, string Type)? DataSource(long id) => null;
        public long? EnvironmentCode(string name) => 1_000_000_000_000;
        public string? EnvironmentName(long code) => null;
        public long? ProjectCode(string project) => 1_000_000_000_000;
        public string? ProjectName(long code) => null;
        public long? WorkflowCode(string project, string workflow) => 1_000_000_000_000;
        public (string Project, string Workflow)? Workflow(long code) => null;
        public long? TaskCode(string project, string workflow, string task) => 1_000_000_000_000;
        public (string Project, string Workflow, string Task)? Task(long code) => null;
        public int? AlertGroupId(string name) => 1;
        public string? AlertGroupName(int id) => null;
        public int? ResourceId(string fullName) => 1;
        public string? ResourceName(int id) => null;
    }
}

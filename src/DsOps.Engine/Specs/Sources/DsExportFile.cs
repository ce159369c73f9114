using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Engine.Dialects;
using DsOps.Engine.Specs.Documents;
using DsOps.Engine.Specs.Loading;
using DsOps.Engine.Specs.Model;
using DsOps.Engine.Specs.Validation;
using DsOps.Engine.Specs.Wire;

namespace DsOps.Engine.Specs.Sources;

/// <summary>
/// DS batch-export JSON (= the import format, docs/ds-facts.md §4.6), 3.0-3.3 shapes: an array of
/// {processDefinition|workflowDefinition, processTaskRelationList|workflowTaskRelationList,
/// taskDefinitionList, schedule}. DS 3.4.1 removed import/export; the file format stays useful for
/// adopting workflows from older clusters.
/// </summary>
public static class DsExportFile
{
    /// <summary>Reads an export file into specs. Ids the resolver cannot name become "id:N".</summary>
    internal static SpecSet Load(string path, SpecLoadOptions? options = null, IDsNameResolver? names = null)
    {
        options ??= SpecLoadOptions.Default;
        if (!File.Exists(path)) throw new FileNotFoundException($"Export file '{path}' does not exist.", path);
        return Read(SpecFileReader.ReadText(path, null, options.Limits.MaxFileBytes * 16, $"export file '{path}'"), path, options, names);
    }

    internal static SpecSet Read(string json, string? file, SpecLoadOptions? options = null, IDsNameResolver? names = null)
    {
        options ??= SpecLoadOptions.Default;
        var findings = new FindingSink();
        var workflows = new List<WorkflowSpec>();
        JsonDocument doc;
        try
        {
            CanonicalJson.RejectDuplicateKeys(json, file);
        }
        catch (SpecLoadException ex)
        {
            findings.Error("DuplicateKey", ex.Location, ex.Detail);
            return new SpecSet(workflows, findings.Items);
        }
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = options.Limits.MaxDepth });
        }
        catch (JsonException ex)
        {
            findings.Error("JsonSyntax", new SourceLocation(file, (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1), "JSON syntax error: " + ex.Message);
            return new SpecSet(workflows, findings.Items);
        }
        using (doc)
        {
            var root = doc.RootElement;
            var elements = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                JsonValueKind.Object => new List<JsonElement> { root },
                _ => new List<JsonElement>(),
            };
            if (elements.Count == 0)
                findings.Error("InvalidDocument", new SourceLocation(file), "an export file is a JSON array of workflow elements.");
            for (var i = 0; i < elements.Count; i++)
            {
                var at = new SourceLocation(file is null ? $"[{i}]" : $"{file}[{i}]");
                var e = elements[i];
                var dialect = DsDialect.FromDagElement(e);
                if (dialect is null)
                {
                    findings.Error("InvalidDocument", at, DsDialect.MissingDagDefinitionMessage);
                    continue;
                }
                try
                {
                    var project = options.DefaultProject ?? ProjectOf(e, names);
                    var w = new DsWireConverter(dialect, names).FromDag(e, project, at);
                    workflows.Add(options.Overlay is null ? w : options.Overlay.Apply(w));
                }
                catch (DsOpsException ex)
                {
                    findings.Error(ex.ErrorId.Replace("DsSpec", ""), at, ex is SpecLoadException sl ? sl.Detail : ex.Message);
                }
            }
        }
        return new SpecSet(workflows, findings.Items);
    }

    private static string ProjectOf(JsonElement e, IDsNameResolver? names)
    {
        if (!DsDialect.TryGetAnyDagDefinition(e, out var def)) def = e.GetProperty(DsDialect.DagDefinitionKeys[^1]);
        if (def.TryGetProperty("projectName", out var pn) && pn.ValueKind == JsonValueKind.String) return pn.GetString()!;
        if (def.TryGetProperty("projectCode", out var pc) && pc.TryGetInt64(out var code))
            return names?.ProjectName(code) ?? "id:" + code;
        return "";
    }

    /// <summary>
    /// Writes specs as an export file for <paramref name="dialect"/>. Codes come from the resolver
    /// where known; others are allocated by <paramref name="allocateCode"/> (deterministic by default).
    /// </summary>
    internal static string Write(IEnumerable<WorkflowSpec> workflows, DsDialect dialect, IDsNameResolver? names = null, Func<long>? allocateCode = null)
    {
        if (!dialect.HasImportExport)
            throw new DsOpsException(DsErrorKind.InvalidInput, "DsExportFileNotImportable",
                $"{dialect} has no workflow import (removed in 3.4.1), so an export file for it could not be loaded there; " +
                "export YAML specs (-Format Yaml) and apply them with Sync-DsWorkflow.");
        names ??= DsNameMap.Empty;
        var next = 1_000_000_000_000L;
        allocateCode ??= () => ++next;
        var converter = new DsWireConverter(dialect, names);
        var array = new JsonArray();
        foreach (var w in workflows.OrderBy(w => w.Project, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal))
        {
            var projectCode = names.ProjectCode(w.Project) ?? 0;
            var workflowCode = names.WorkflowCode(w.Project, w.Name) ?? allocateCode();
            var codes = w.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal)
                .ToDictionary(t => t.Name, t => names.TaskCode(w.Project, w.Name, t.Name) ?? allocateCode(), StringComparer.Ordinal);
            var versions = codes.ToDictionary(c => c.Key, _ => 1, StringComparer.Ordinal);
            var wire = converter.ToWire(w, codes, versions);

            var def = new JsonObject
            {
                ["code"] = workflowCode,
                ["name"] = w.Name,
                ["version"] = 1,
                ["releaseState"] = w.ReleaseState,
                ["projectCode"] = projectCode,
                ["projectName"] = w.Project,
                ["description"] = wire.Description,
                ["globalParams"] = wire.GlobalParams,
                ["globalParamList"] = JsonNode.Parse(wire.GlobalParams),
                ["locations"] = wire.Locations,
                ["timeout"] = wire.Timeout,
                ["executionType"] = wire.ExecutionType,
                ["flag"] = "YES",
            };
            if (wire.TenantCode is not null) def["tenantCode"] = wire.TenantCode;

            var relations = JsonNode.Parse(wire.TaskRelationJson)!.AsArray();
            foreach (var r in relations.OfType<JsonObject>())
            {
                r["projectCode"] = projectCode;
                r[dialect.WorkflowCodeParameter] = workflowCode;
                r[dialect.RelationDefinitionVersionKey] = 1;
            }
            var tasks = JsonNode.Parse(wire.TaskDefinitionJson)!.AsArray();
            foreach (var t in tasks.OfType<JsonObject>()) t["projectCode"] = projectCode;

            var element = new JsonObject
            {
                [dialect.DagDefinitionKey] = def,
                [dialect.DagRelationListKey] = relations,
                ["taskDefinitionList"] = tasks,
            };
            if (wire.Schedule is { } s)
            {
                var sj = JsonNode.Parse(s.ScheduleJson)!.AsObject();
                var schedule = new JsonObject
                {
                    [dialect.WorkflowCodeParameter] = workflowCode,
                    ["startTime"] = sj["startTime"]!.GetValue<string>(),
                    ["endTime"] = sj["endTime"]!.GetValue<string>(),
                    ["timezoneId"] = sj["timezoneId"]!.GetValue<string>(),
                    ["crontab"] = sj["crontab"]!.GetValue<string>(),
                    ["failureStrategy"] = s.FailureStrategy,
                    ["warningType"] = s.WarningType,
                    ["warningGroupId"] = s.WarningGroupId ?? 0,
                    [dialect.SchedulePriorityKey] = s.Priority,
                    ["workerGroup"] = s.WorkerGroup,
                    ["environmentCode"] = s.EnvironmentCode,
                    // DS always exports schedules offline (docs/ds-facts.md §4.6); the spec's intent is kept for apply.
                    ["releaseState"] = "OFFLINE",
                };
                if (s.TenantCode is not null) schedule["tenantCode"] = s.TenantCode;
                element["schedule"] = schedule;
            }
            array.Add(element);
        }
        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using DsOps.Emulator.Hosting;

namespace DsOps.Emulator.Api;

/// <summary>
/// The alert plugins a DS alert server registers in t_ds_plugin_define at start, with UI form templates holding the
/// field names of docs/chat-robots.md §6.2 (the templates' other attributes are the emulator's own minimal ones).
/// Instances store only each form item's field → value map, as DS does.
/// </summary>
public static class AlertPlugins
{
    private static readonly (string Name, string[] Fields)[] Plugins =
    {
        ("DingTalk", new[] { "WebHook", "Keyword", "Secret", "MsgType", "AtMobiles", "AtUserIds", "IsAtAll", "IsEnableProxy", "Proxy", "Port", "User", "Password" }),
        ("WeChat", new[] { "corpId", "secret", "users", "agentId/chatId", "sendType", "showType" }),
        ("Feishu", new[] { "WebHook", "IsEnableProxy", "Proxy", "Port", "User", "Password" }),
        ("Slack", new[] { "webHook", "username" }),
        ("Http", new[] { "url", "requestType", "headerParams", "bodyParams", "contentField", "timeout" }),
        ("Email", new[] { "receivers", "receiverCcs", "serverHost", "serverPort", "sender", "enableSmtpAuth", "User", "Password", "starttlsEnable", "sslEnable", "smtpSslTrust", "showType" }),
        ("Script", new[] { "userParams", "path", "type" }),
        ("Telegram", new[] { "webHook", "botToken", "chatId", "parseMode" }),
    };

    public static async Task RegisterAsync(EmulatorContext ctx)
    {
        if (await ctx.Db.ScalarAsync("SELECT COUNT(*) FROM t_ds_plugin_define WHERE plugin_type = 'ALERT'").ConfigureAwait(false) > 0) return;
        foreach (var (name, fields) in Plugins)
        {
            var form = new JsonArray(fields.Select(f => (JsonNode)new JsonObject
            {
                ["field"] = f, ["name"] = f, ["type"] = "input", ["title"] = f, ["value"] = null,
                ["validate"] = new JsonArray(new JsonObject { ["required"] = false, ["type"] = "string", ["trigger"] = "blur" }),
            }).ToArray());
            await ctx.Db.InsertAsync("t_ds_plugin_define", new Dictionary<string, object?>
            {
                ["plugin_name"] = name, ["plugin_type"] = "ALERT", ["plugin_params"] = form.ToJsonString(), ["create_time"] = ctx.Now, ["update_time"] = ctx.Now,
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Form array → stored field/value map. Items need field, type and title (DS fails deserialization otherwise).</summary>
    public static string ToStoredParams(string formJson)
    {
        JsonArray? arr;
        try { arr = JsonNode.Parse(formJson) as JsonArray; }
        catch (JsonException ex) { throw new DsBindingException("pluginInstanceParams is not JSON: " + ex.Message); }
        if (arr is null) throw new DsBindingException("pluginInstanceParams must be a JSON array of form items");
        var map = new JsonObject();
        foreach (var item in arr)
        {
            if (item is not JsonObject o || WorkflowDag.Str(o["field"]) is not { } field || o["type"] is null || o["title"] is null)
                throw new DsBindingException("each pluginInstanceParams item needs field, type and title");
            map[field] = o["value"] is null ? null : WorkflowDag.Str(o["value"]);
        }
        return map.ToJsonString();
    }

    /// <summary>Stored map → the plugin's form with values filled in (what the API returns).</summary>
    public static string ToUiParams(string? stored, string? pluginForm)
    {
        var map = (string.IsNullOrEmpty(stored) ? null : JsonNode.Parse(stored) as JsonObject) ?? new JsonObject();
        var form = (string.IsNullOrEmpty(pluginForm) ? null : JsonNode.Parse(pluginForm) as JsonArray) ?? new JsonArray();
        var seen = new HashSet<string>();
        foreach (var item in form.OfType<JsonObject>())
        {
            var field = WorkflowDag.Str(item["field"]) ?? "";
            seen.Add(field);
            if (map.TryGetPropertyValue(field, out var v)) item["value"] = v?.DeepClone();
        }
        foreach (var (k, v) in map)
            if (!seen.Contains(k)) form.Add(new JsonObject { ["field"] = k, ["name"] = k, ["type"] = "input", ["title"] = k, ["value"] = v?.DeepClone() });
        return form.ToJsonString();
    }
}

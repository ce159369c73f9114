using System.Text;
using DsOps.Engine;
using DsOps.Engine.Dialects;
using DsOps.Engine.ServerConfig;
using DsOps.Tests.Specs;
using Xunit;

namespace DsOps.Tests.ServerConfig;

/// <summary>Surgical edits on every config file DS ships: only the value's bytes change, and setting the old value back restores the file.</summary>
public class ServerConfigEditTests
{
    public static IEnumerable<object[]> ShippedFiles() => ShippedConfig.Files();

    private static (ServerConfigRole Role, string Key, string Value)? EditFor(string name, ConfigSourceFile file)
    {
        var role = ShippedConfig.Roles.Where(r => name.StartsWith(r.Prefix + "-", StringComparison.Ordinal)).Select(r => (ServerConfigRole?)r.Role).FirstOrDefault()
                   ?? (name.StartsWith("standalone-server-", StringComparison.Ordinal) ? ServerConfigRole.Standalone : ServerConfigRole.Master);
        return file.Kind switch
        {
            ConfigFileKind.ApplicationYaml => (role, "server.port", "18080"),
            ConfigFileKind.BootstrapYaml => (role, "spring.application.name", "renamed-server"),
            ConfigFileKind.JvmArgs or ConfigFileKind.StartScript => (role, "-Xmx", "8g"),
            _ => file.Entries.Count == 0 ? null : (role, file.Entries[0].Key, "/opt/other-value"),
        };
    }

    private static int ByteOffset(string text, int charIndex, bool bom) => Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex)) + (bom ? 3 : 0);

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Editing_one_value_of_a_shipped_file_changes_only_that_value_s_bytes_and_round_trips(string version, string name)
    {
        using var dir = new SpecTestFiles();
        var path = Path.Combine(dir.Root, name);
        File.Copy(Path.Combine(ShippedConfig.Folder(version), name), path);
        var original = File.ReadAllBytes(path);
        var kind = DsServerConfigReader.KindOf(path)!.Value;
        var parsed = ConfigSourceFile.Load(path, kind);
        var edit = EditFor(name, parsed);
        var options = new DsServerConfigReadOptions { Dialect = DsDialect.Parse(version), Role = edit?.Role ?? ServerConfigRole.Master };
        var config = DsServerConfigReader.Read(path, options);

        if (edit is null)
        {
            // 3.2+ ship dolphinscheduler_env.sh with comments only: there is no value to change, and a change is refused.
            Assert.Empty(parsed.Entries);
            var ex = Assert.Throws<DsOpsException>(() => DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Master, "JAVA_HOME", "/opt/java") }));
            Assert.Equal("DsConfigKeyUnknown", ex.ErrorId);
            Assert.Contains(path, ex.Message);
            Assert.Equal(original, File.ReadAllBytes(path));
            return;
        }

        var (role, key, value) = edit.Value;
        var setting = config.Role(role)!.Find(key)!;
        Assert.NotNull(setting);
        var plan = DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(role, key, value) });
        var fileEdit = Assert.Single(plan.Files);
        Assert.Equal(path, fileEdit.Path);

        var text = Encoding.UTF8.GetString(original);
        var start = ByteOffset(text, setting.Entry.Start, false);
        var end = ByteOffset(text, setting.Entry.Start + setting.Entry.Length, false);
        var expected = original[..start].Concat(Encoding.UTF8.GetBytes(value)).Concat(original[end..]).ToArray();
        Assert.Equal(expected, fileEdit.NewContent.ToArray());
        Assert.StartsWith($"--- {path}", fileEdit.Diff);
        Assert.Contains("+", fileEdit.Diff);

        var written = DsServerConfigEditor.Apply(plan);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(original, File.ReadAllBytes(Assert.Single(written).BackupPath!));

        // Every other value reads back unchanged, the edited one reads back as written.
        var after = ConfigSourceFile.Load(path, kind);
        Assert.Equal(parsed.Entries.Count, after.Entries.Count);
        for (var i = 0; i < parsed.Entries.Count; i++)
        {
            Assert.Equal(parsed.Entries[i].Key, after.Entries[i].Key);
            Assert.Equal(parsed.Entries[i].Line, after.Entries[i].Line);
            Assert.Equal(parsed.Entries[i] == setting.Entry ? value : parsed.Entries[i].Value, after.Entries[i].Value);
        }

        // Setting the old value back gives the original file, byte for byte.
        var again = DsServerConfigReader.Read(path, options);
        DsServerConfigEditor.Apply(DsServerConfigEditor.Plan(again, new[] { new DsConfigChange(role, key, setting.Entry.Value) }), backup: false);
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    public static IEnumerable<object[]> ShippedYamlFiles() => ShippedConfig.Files().Where(f => ((string)f[1]).EndsWith(".yaml", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(ShippedYamlFiles))]
    public void Every_value_of_every_shipped_yaml_file_can_be_replaced_without_touching_another_byte(string version, string name)
    {
        var path = Path.Combine(ShippedConfig.Folder(version), name);
        var bytes = File.ReadAllBytes(path);
        var file = ConfigSourceFile.Parse(path, ConfigFileKind.ApplicationYaml, bytes);
        var editable = file.Entries.Where(e => e.Editable).ToList();
        Assert.True(editable.Count >= 4, $"{name}: only {editable.Count} values found");
        foreach (var entry in editable)
        {
            var rendered = file.Render(entry, "v42");
            var text = file.Text[..entry.Start] + rendered + file.Text[(entry.Start + entry.Length)..];
            // Outside the value's characters the text is the same.
            Assert.Equal(file.Text[..entry.Start], text[..entry.Start]);
            Assert.Equal(file.Text[(entry.Start + entry.Length)..], text[(entry.Start + rendered.Length)..]);
            var reread = ConfigSourceFile.Parse(path, ConfigFileKind.ApplicationYaml, Encoding.UTF8.GetBytes(text));
            Assert.Equal(file.Entries.Select(e => e.Key), reread.Entries.Select(e => e.Key));
            for (var i = 0; i < file.Entries.Count; i++)
                Assert.Equal(file.Entries[i] == entry ? "v42" : file.Entries[i].Value, reread.Entries[i].Value);
        }
    }

    [Fact]
    public void Quotes_comments_crlf_line_ends_and_a_byte_order_mark_are_kept()
    {
        using var dir = new SpecTestFiles();
        var source = File.ReadAllText(Path.Combine(ShippedConfig.Folder("3.2.2"), "master-application.yaml"));
        var crlf = source.Replace("\r\n", "\n").Replace("\n", "\r\n");
        var path = Path.Combine(dir.Root, "master-application.yaml");
        File.WriteAllBytes(path, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(crlf)).ToArray());
        var original = File.ReadAllBytes(path);
        var config = DsServerConfigReader.Read(path);
        Assert.Equal("3.2.2", config.Version);
        var plan = DsServerConfigEditor.Plan(config, new[]
        {
            new DsConfigChange(ServerConfigRole.Master, "spring.jackson.date-format", "yyyy/MM/dd HH:mm"),
            new DsConfigChange(ServerConfigRole.Master, "master.server-load-protection.max-system-memory-usage-percentage-thresholds", "0.85"),
        });
        DsServerConfigEditor.Apply(plan, backup: false);
        var after = File.ReadAllBytes(path);
        var expectedText = crlf.Replace("date-format: \"yyyy-MM-dd HH:mm:ss\"", "date-format: \"yyyy/MM/dd HH:mm\"")
            .Replace("max-system-memory-usage-percentage-thresholds: 0.7", "max-system-memory-usage-percentage-thresholds: 0.85");
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(expectedText)).ToArray(), after);
        Assert.Contains("# Master max System memory usage", Encoding.UTF8.GetString(after));
        Assert.Equal(original.Length + 1 - 3, after.Length); // "0.7"->"0.85" (+1), the date format 3 characters shorter
    }

    [Fact]
    public void A_variable_exported_by_dolphinscheduler_env_sh_is_changed_together_with_the_yaml_key_it_overrides()
    {
        using var home = new TempDsHome("3.0.1");
        var config = DsServerConfigReader.Read(home.Root);
        var fetch = config.Role(ServerConfigRole.Master)!.Find("master.fetch-command-num")!;
        Assert.StartsWith("MASTER_FETCH_COMMAND_NUM (dolphinscheduler_env.sh:", fetch.OverriddenBy);
        var plan = DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Master, "master.fetch-command-num", "8") });
        Assert.Equal(2, plan.Files.Count);
        DsServerConfigEditor.Apply(plan);
        Assert.Contains("MASTER_FETCH_COMMAND_NUM=${MASTER_FETCH_COMMAND_NUM:-8}", File.ReadAllText(Path.Combine(home.Root, "bin", "env", "dolphinscheduler_env.sh")));
        Assert.Contains("  fetch-command-num: 8\n", File.ReadAllText(home.PathOf(ServerConfigRole.Master, "conf/application.yaml")));
        Assert.Equal(8, DsServerConfigReader.Read(home.Root).Role(ServerConfigRole.Master)!.FetchSize);
    }

    [Theory]
    [InlineData("3.2.2", ServerConfigRole.Master, "master.pre-exec-threads", "20", "DsConfigKeyNoOp", "no-op on DS 3.2.2")]
    [InlineData("3.2.2", ServerConfigRole.Master, "master.dispatch-task-number", "5", "DsConfigKeyNoOp", "master.dispatch-task-number")]
    [InlineData("3.2.2", ServerConfigRole.Master, "master.fetch-command-num", "5", "DsConfigKeyIgnored", "master.command-fetch-strategy.config.fetch-size")]
    [InlineData("3.2.2", ServerConfigRole.Worker, "worker.server-load-protection.max-cpu-usage-percentage-thresholds", "0.8", "DsConfigKeyIgnored", "max-system-cpu-usage-percentage-thresholds")]
    [InlineData("3.2.1", ServerConfigRole.Master, "master.command-fetch-strategy.config.fetch-size", "5", "DsConfigKeyIgnored", "master.fetch-command-num")]
    [InlineData("3.0.1", ServerConfigRole.Master, "master.server-load-protection.enabled", "false", "DsConfigKeyIgnored", "does not read")]
    [InlineData("3.2.2", ServerConfigRole.Master, "master.no-such-key", "1", "DsConfigKeyUnknown", "master.no-such-key")]
    [InlineData("3.2.2", ServerConfigRole.Master, "spring.datasource.hikari.maximum-pool-size", "20", "DsConfigKeyAbsent", "does not add keys")]
    [InlineData("3.2.2", ServerConfigRole.Worker, "worker.server-load-protection.max-system-memory-usage-percentage-thresholds", "1.5", "DsConfigValueOutOfRange", "not a fraction")]
    [InlineData("3.2.2", ServerConfigRole.Worker, "worker.exec-threads", "0", "DsConfigValueOutOfRange", "outside 1..10000")]
    [InlineData("3.2.2", ServerConfigRole.Worker, "worker.exec-threads", "many", "DsConfigValueOutOfRange", "not a whole number")]
    [InlineData("3.2.2", ServerConfigRole.Api, "-Xmx", "lots", "DsConfigValueOutOfRange", "not a JVM size")]
    [InlineData("3.2.2", ServerConfigRole.Api, "-Xmx", "512m", "DsConfigHeapInconsistent", "-Xms (1024 MB) would exceed its -Xmx (512 MB)")]
    [InlineData("3.0.1", ServerConfigRole.Worker, "-Xmn", "4g", "DsConfigHeapInconsistent", "-Xmn (4096 MB) would not be below")]
    [InlineData("3.2.2", ServerConfigRole.Master, "master.max-heartbeat-interval", "ten seconds", "DsConfigValueOutOfRange", "not a duration")]
    public void Refused_changes_name_the_key_and_file_and_write_nothing(string version, ServerConfigRole role, string key, string value, string errorId, string text)
    {
        using var home = new TempDsHome(version);
        var before = home.Snapshot();
        var config = DsServerConfigReader.Read(home.Root);
        var ex = Assert.Throws<DsOpsException>(() => DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(role, key, value) }));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Contains(text, ex.Message);
        if (errorId != "DsConfigHeapInconsistent") Assert.Contains(key, ex.Message);
        Assert.Contains(home.Root, ex.Message);
        var after = home.Snapshot();
        Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
        foreach (var (file, bytes) in before) Assert.Equal(bytes, after[file]);
    }

    [Fact]
    public void A_file_changed_after_it_was_read_is_not_overwritten()
    {
        using var home = new TempDsHome("3.2.2");
        var config = DsServerConfigReader.Read(home.Root);
        var plan = DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Worker, "worker.exec-threads", "16") });
        var yaml = home.PathOf(ServerConfigRole.Worker, "conf/application.yaml");
        File.AppendAllText(yaml, "# edited by someone else\n");
        var changed = File.ReadAllBytes(yaml);
        var ex = Assert.Throws<DsOpsException>(() => DsServerConfigEditor.Apply(plan));
        Assert.Equal("DsConfigFileChanged", ex.ErrorId);
        Assert.Equal(changed, File.ReadAllBytes(yaml));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(yaml)!, "*.bak"));
    }

    [Fact]
    public void The_diff_masks_secret_values_even_in_context_lines()
    {
        using var home = new TempDsHome("3.2.2");
        var config = DsServerConfigReader.Read(home.Root);
        var plan = DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Api, "spring.datasource.username", "ds") });
        Assert.Contains("password: ********", plan.Diff);
        Assert.DoesNotContain("password: root", plan.Diff);
        Assert.Contains("-    username: root", plan.Diff);
        Assert.Contains("+    username: ds", plan.Diff);
        var secret = DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Api, "spring.datasource.password", "s3cr3t-value") });
        Assert.DoesNotContain("s3cr3t-value", secret.Diff);
        Assert.DoesNotContain("s3cr3t-value", string.Join(" ", secret.Changes.Select(c => c.ToString())));
    }

    [Fact]
    public void Edits_keep_the_file_mode_of_shell_scripts()
    {
        if (OperatingSystem.IsWindows()) return;
        using var home = new TempDsHome("3.0.1");
        var start = home.PathOf(ServerConfigRole.Master, "bin/start.sh");
        File.SetUnixFileMode(start, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var mode = File.GetUnixFileMode(start);
        var config = DsServerConfigReader.Read(home.Root);
        DsServerConfigEditor.Apply(DsServerConfigEditor.Plan(config, new[] { new DsConfigChange(ServerConfigRole.Master, "-Xmx", "6g") }));
        Assert.Equal(mode, File.GetUnixFileMode(start));
        Assert.Contains("-Xms4g -Xmx6g -Xmn2g", File.ReadAllText(start));
    }
}

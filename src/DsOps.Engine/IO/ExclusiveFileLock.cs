using System.Text.Json;
using System.Text.Json.Nodes;

namespace DsOps.Engine.IO;

/// <summary>Who holds a lock: read from the owner note beside the lock file.</summary>
internal sealed record LockOwner(int ProcessId, DateTimeOffset Since, string Host, string What);

/// <summary>
/// An exclusive lock held by the operating system on an open file: the file is opened with no sharing, which .NET
/// turns into flock(LOCK_EX) on Linux and macOS and a sharing lock on Windows. The OS drops it when the process
/// ends, however it ends (kill -9 included), so there is never a stale lock to clean up; the lock file itself stays
/// and is reused. The holder writes a small owner note (process id, start time, host, what) beside it, read only
/// to explain a refusal.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _stream;

    private ExclusiveFileLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Takes the lock or returns null when another process (or another open in this one) holds it.</summary>
    public static ExclusiveFileLock? TryAcquire(string path, string what)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // held elsewhere (a sharing violation); other IO errors surface from the next attempt
        }
        var owner = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["since"] = DateTimeOffset.UtcNow.ToString("O"),
            ["host"] = Environment.MachineName,
            ["what"] = what,
        };
        AtomicFile.WriteAllText(OwnerPath(path), owner.ToJsonString());
        return new ExclusiveFileLock(path, stream);
    }

    /// <summary>The owner note of <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
    public static LockOwner? ReadOwner(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(OwnerPath(path))) as JsonObject;
            if (node is null) return null;
            return new LockOwner(node["pid"]?.GetValue<int>() ?? 0,
                DateTimeOffset.TryParse(node["since"]?.GetValue<string>(), out var since) ? since : default,
                node["host"]?.GetValue<string>() ?? "", node["what"]?.GetValue<string>() ?? "");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string OwnerPath(string path) => path + ".owner";

    public void Dispose() => _stream.Dispose();
}

using System.Text;

namespace DsOps.Engine.IO;

/// <summary>
/// The one way DsOps replaces a file: the content goes to a temp file in the same folder whose name is unique
/// per writer (process id and a random part), is flushed to disk, and is then renamed over the target. Readers
/// see the old file or the new one, never half of one, and writers in several processes never share a temp file.
/// </summary>
internal static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string content) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, 64 * 1024, leaveOpen: true);
        writer.Write(content);
    });

    /// <summary>Writes what <paramref name="write"/> puts into the stream, then replaces <paramref name="path"/> with it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = TempNameFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            // Replacing a file keeps its permissions (a server's config file, a state file only its owner reads).
            if (!OperatingSystem.IsWindows() && File.Exists(full)) File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>A hidden temp name beside <paramref name="fullPath"/>, unique per process and call.</summary>
    public static string TempNameFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
}

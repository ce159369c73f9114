using System.Runtime.InteropServices;
using System.Text;
using DsOps.Engine.Specs.Model;
using Microsoft.Win32.SafeHandles;

namespace DsOps.Engine.Specs.Documents;

/// <summary>
/// The one way spec inputs (spec files, script files, pydolphinscheduler <c>$FILE</c>, config-table script paths,
/// export files) are read from disk, so a hostile folder cannot make DsOps upload files it should not:
/// <list type="bullet">
/// <item>the real path (every symbolic link followed, at every level) must stay inside the allowed root;</item>
/// <item>only regular files are read: FIFOs, sockets, devices and files whose size is not known in advance
/// (/proc, /sys) are refused - opening never blocks;</item>
/// <item>the size limit is enforced on the bytes actually read (a bounded read), never on the reported length;</item>
/// <item>text must be valid UTF-8 (or UTF-16 with a BOM): invalid bytes are an error naming the byte offset and line,
/// never silently replaced.</item>
/// </list>
/// Every refusal is a <see cref="SpecLoadException"/> whose id says why.
/// </summary>
internal static class SpecFileReader
{
    /// <summary>Most symbolic links followed while resolving one path (Linux's own limit is 40).</summary>
    public const int MaxLinkHops = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The path with every symbolic link resolved, at every level (like realpath(3)); components that do not
    /// exist are kept as they are. Throws DsSpecSymlinkLoop after <see cref="MaxLinkHops"/> links.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var hops = 0;
        while (true)
        {
            var root = Path.GetPathRoot(full)!;
            var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var current = root;
            string? restart = null;
            for (var i = 0; i < parts.Length && restart is null; i++)
            {
                var next = Path.Combine(current, parts[i]);
                var target = LinkTarget(next);
                if (target is null)
                {
                    current = next;
                    continue;
                }
                if (++hops > MaxLinkHops)
                    throw new SpecLoadException("DsSpecSymlinkLoop", new SourceLocation(path),
                        $"'{path}' goes through more than {MaxLinkHops} symbolic links (a link loop); refused.");
                // 'current' has no links left, so resolving '..' in the target lexically is correct.
                var rest = string.Join(Path.DirectorySeparatorChar, parts, i + 1, parts.Length - i - 1);
                restart = Path.GetFullPath(Path.Combine(Path.Combine(current, target), rest));
            }
            if (restart is null) return current;
            full = restart;
        }
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            return info.LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="realPath"/> is <paramref name="realRoot"/> or below it (both already real paths).</summary>
    public static bool IsInside(string realPath, string realRoot)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var r = realRoot.TrimEnd(Path.DirectorySeparatorChar);
        return string.Equals(realPath, r, comparison) || realPath.StartsWith(r + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>
    /// Refuses (DsSpecOutsideRoot) when the real path of <paramref name="path"/> leaves the real path of
    /// <paramref name="root"/>; returns the real path. <paramref name="label"/> names the file in messages
    /// (e.g. "scriptFile 'scripts/a.sh'").
    /// </summary>
    public static string RequireInside(string path, string root, string label, SourceLocation at)
    {
        var full = Path.GetFullPath(path);
        var realRoot = RealPath(root);
        var rootShown = Path.GetFullPath(root);
        if (!IsInside(full, Path.GetFullPath(root)) && !IsInside(full, realRoot))
            throw new SpecLoadException("DsSpecOutsideRoot", at, $"{label} resolves outside the allowed folder '{rootShown}'; refused.");
        var real = RealPath(full);
        if (!IsInside(real, realRoot))
            throw new SpecLoadException("DsSpecOutsideRoot", at,
                $"{label} is a symbolic link to '{real}', outside the allowed folder '{rootShown}'; refused.");
        return real;
    }

    /// <summary>
    /// Reads a text file safely (see the class summary). With a <paramref name="root"/>, the real path must stay
    /// inside it. <paramref name="label"/> names the file in messages; <paramref name="at"/> is where it was named.
    /// </summary>
    public static string ReadText(string path, string? root, long maxBytes, string? label = null, SourceLocation at = default)
    {
        label ??= $"'{path}'";
        if (!at.IsKnown) at = new SourceLocation(path);
        var real = root is null ? RealPath(path) : RequireInside(path, root, label, at);
        if (Directory.Exists(real))
            throw new SpecLoadException("DsSpecNotRegularFile", at, $"{label} is a folder, not a file.");
        if (!File.Exists(real))
            throw new SpecLoadException("DsSpecFileNotFound", at, $"{label} does not exist (looked for '{Path.GetFullPath(path)}').");
        var bytes = ReadBounded(real, maxBytes, label, at);
        return Decode(bytes, path, label);
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> bytes of a regular file; refuses anything else.</summary>
    private static byte[] ReadBounded(string real, long maxBytes, string label, SourceLocation at)
    {
        using var stream = OpenRegular(real, label, at);
        var reported = stream.Length;
        var buffer = new byte[(int)Math.Min(maxBytes + 1, Math.Max(reported + 1, 4096))];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total > maxBytes) break;
                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
            }
            var n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0) break;
            total += n;
        }
        if (total > maxBytes)
            throw new SpecLoadException("DsSpecFileTooLarge", at, $"{label} is larger than the limit of {maxBytes:N0} bytes; refused.");
        // /proc and /sys files report a size of 0 (or a page) whatever they hold; devices report 0.
        if (total != reported)
            throw new SpecLoadException("DsSpecNotRegularFile", at,
                $"{label} is not a regular file (its size is not known in advance, like /proc, /sys or a device); refused.");
        Array.Resize(ref buffer, total);
        return buffer;
    }

    private static FileStream OpenRegular(string real, string label, SourceLocation at)
    {
        if (OperatingSystem.IsWindows())
        {
            var attributes = File.GetAttributes(real);
            if ((attributes & FileAttributes.Device) != 0)
                throw new SpecLoadException("DsSpecNotRegularFile", at, $"{label} is a device, not a regular file; refused.");
            return new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        }
        // open(2) with O_NONBLOCK: a FIFO opens at once instead of waiting for a writer; regular files are unaffected.
        var flags = OperatingSystem.IsLinux() ? 0x800 | 0x80000 /* O_NONBLOCK | O_CLOEXEC */ : 0x4 | 0x1000000 /* macOS/BSD */;
        var fd = Open(real, flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SpecLoadException(errno == 13 ? "DsSpecFileAccessDenied" : "DsSpecFileNotFound", at,
                $"{label} cannot be opened ({(errno == 13 ? "permission denied" : "error " + errno)}).");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        FileStream stream;
        try
        {
            stream = new FileStream(handle, FileAccess.Read, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        // FIFOs, sockets and terminals cannot seek; regular files (and block devices) can.
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new SpecLoadException("DsSpecNotRegularFile", at, $"{label} is a FIFO, socket or character device, not a regular file; refused.");
        }
        return stream;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    /// <summary>
    /// Decodes UTF-8 (BOM optional) or UTF-16 with a BOM, strictly: invalid bytes are DsSpecInvalidUtf8 naming
    /// the byte offset, line and column.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? file, string? label = null)
    {
        label ??= file is null ? "the text" : $"'{file}'";
        Encoding encoding = StrictUtf8;
        var skip = 0;
        if (bytes.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })) skip = 3;
        else if (bytes.StartsWith(new byte[] { 0xFF, 0xFE })) { encoding = new UnicodeEncoding(false, true, true); skip = 2; }
        else if (bytes.StartsWith(new byte[] { 0xFE, 0xFF })) { encoding = new UnicodeEncoding(true, true, true); skip = 2; }
        try
        {
            return encoding.GetString(bytes[skip..]);
        }
        catch (DecoderFallbackException ex)
        {
            var offset = skip + Math.Max(0, ex.Index);
            var line = 1;
            var lineStart = 0;
            for (var i = 0; i < offset && i < bytes.Length; i++)
                if (bytes[i] == (byte)'\n') { line++; lineStart = i + 1; }
            var bad = ex.BytesUnknown is { Length: > 0 } b ? string.Join(" ", b.Select(x => x.ToString("X2"))) : "?";
            throw new SpecLoadException("DsSpecInvalidUtf8", new SourceLocation(file, line, offset - lineStart + 1),
                $"{label} is not valid {(encoding is UTF8Encoding ? "UTF-8" : "UTF-16")}: byte offset {offset} (line {line}) holds {bad}. Save the file as UTF-8.");
        }
    }
}

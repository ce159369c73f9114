namespace DsOps.Emulator.Hosting;

/// <summary>
/// DS's code generator shape (docs/ds-facts.md §3.3): (millis − 2021-01-01) shifted left by 7 bits (3.0/3.1)
/// or 10 bits (3.2+), with a machine hash and a per-millisecond sequence in the low bits. Codes are unique
/// within one emulator (the sequence rolls over into the next millisecond instead of repeating).
/// </summary>
public sealed class CodeGenerator(bool wide)
{
    private const long Epoch = 1609430400000L;
    private readonly object _lock = new();
    private long _lastMillis;
    private long _seq;

    public long Next()
    {
        lock (_lock)
        {
            var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (ms < _lastMillis) ms = _lastMillis;
            const long maxSeq = 31;
            if (ms == _lastMillis)
            {
                if (++_seq > maxSeq) { ms = ++_lastMillis; _seq = 0; }
            }
            else _seq = 0;
            _lastMillis = ms;
            const long machine = 1;
            return wide ? ((ms - Epoch) << 10) | (machine << 5) | _seq : ((ms - Epoch) << 7) | (machine << 5) | _seq;
        }
    }
}

using System.Globalization;
using System.Text;
using MySqlConnector;

namespace DsOps.Testing.History;

/// <summary>
/// Rows buffered as tab-separated text and loaded with LOAD DATA LOCAL INFILE (MySqlBulkLoader):
/// the fastest way to put hundreds of thousands of rows into MariaDB, and no SQL text is built from values.
/// </summary>
internal sealed class BulkTable
{
    private readonly string _table;
    private readonly string[] _columns;
    private readonly int _flushRows;
    private StringBuilder _buffer = new();
    private int _rows;

    public BulkTable(string table, IEnumerable<string> columns, int flushRows = 50_000)
    {
        _table = table;
        _columns = columns.ToArray();
        _flushRows = flushRows;
    }

    public int TotalRows { get; private set; }

    public async Task AddAsync(MySqlConnection connection, params object?[] values)
    {
        if (values.Length != _columns.Length)
            throw new ArgumentException($"{_table}: {values.Length} values for {_columns.Length} columns");
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) _buffer.Append('\t');
            Append(values[i]);
        }
        _buffer.Append('\n');
        _rows++;
        TotalRows++;
        if (_rows >= _flushRows) await FlushAsync(connection).ConfigureAwait(false);
    }

    private void Append(object? value)
    {
        switch (value)
        {
            case null: _buffer.Append("\\N"); break;
            case DateTime d: _buffer.Append(d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)); break;
            case string s:
                foreach (var c in s)
                {
                    switch (c)
                    {
                        case '\t': _buffer.Append("\\t"); break;
                        case '\n': _buffer.Append("\\n"); break;
                        case '\\': _buffer.Append("\\\\"); break;
                        default: _buffer.Append(c); break;
                    }
                }
                break;
            case bool b: _buffer.Append(b ? '1' : '0'); break;
            case IFormattable f: _buffer.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: throw new ArgumentException($"{_table}: unsupported value type {value.GetType()}");
        }
    }

    public async Task FlushAsync(MySqlConnection connection)
    {
        if (_rows == 0) return;
        var bytes = Encoding.UTF8.GetBytes(_buffer.ToString());
        _buffer = new StringBuilder();
        _rows = 0;
        using var stream = new MemoryStream(bytes);
        var loader = new MySqlBulkLoader(connection)
        {
            TableName = "`" + _table + "`",
            SourceStream = stream,
            Local = true,
            FieldTerminator = "\t",
            LineTerminator = "\n",
            EscapeCharacter = '\\',
            CharacterSet = "utf8mb4",
            ConflictOption = MySqlBulkLoaderConflictOption.None,
        };
        foreach (var c in _columns) loader.Columns.Add("`" + c + "`");
        await loader.LoadAsync().ConfigureAwait(false);
    }
}

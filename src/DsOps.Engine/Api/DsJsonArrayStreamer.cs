using System.Buffers;
using System.Net;
using System.Text.Json;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>
/// Reads an envelope whose <c>data</c> is a large array (every DAG of a project) one element at a time from the
/// response stream, so memory holds one element, not the whole answer. The envelope's code is checked as usual.
/// </summary>
internal static class DsJsonArrayStreamer
{
    public static async Task StreamDataArrayAsync(HttpResponseMessage response, string endpoint, DsDialect dialect,
        Action<JsonElement> onElement, CancellationToken ct)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!response.IsSuccessStatusCode || mediaType is null || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            // Errors, HTML for unmapped paths and odd answers: the one reader reports them.
            using var envelope = await DsResponseReader.ReadEnvelopeAsync(response, endpoint, dialect, ct).ConfigureAwait(false);
            if (envelope.Data.ValueKind == JsonValueKind.Array)
                foreach (var e in envelope.Data.EnumerateArray()) onElement(e);
            return;
        }

        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            var parser = new Parser(onElement);
            try
            {
                var filled = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2); // one element did not fit
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                    filled += read;
                    var consumed = parser.Feed(buffer.AsSpan(0, filled), isFinalBlock: read == 0);
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                    if (read == 0) break;
                }
            }
            catch (JsonException ex)
            {
                throw new DsApiException(DsErrorKind.InvalidResponse, "DsInvalidResponse", $"{endpoint} answered with malformed JSON: {ex.Message}",
                    endpoint, response.StatusCode, inner: ex);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (parser.Code is not 0)
                throw DsResponseReader.BusinessError(parser.Code ?? -1, parser.Message, endpoint, dialect, HttpStatusCode.OK);
        }
    }

    /// <summary>Incremental state over the envelope: top-level code/msg, and the elements of data.</summary>
    private sealed class Parser(Action<JsonElement> onElement)
    {
        private JsonReaderState _state;
        private string? _property;
        private bool _inData;

        public int? Code { get; private set; }
        public string? Message { get; private set; }

        /// <summary>Consumes as much of <paramref name="data"/> as forms whole tokens or elements; returns the bytes used.</summary>
        public int Feed(ReadOnlySpan<byte> data, bool isFinalBlock)
        {
            var reader = new Utf8JsonReader(data, isFinalBlock, _state);
            while (true)
            {
                var checkpoint = reader;
                if (_inData)
                {
                    if (!reader.Read()) return Stop(checkpoint);
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        _inData = false;
                        continue;
                    }
                    var probe = reader;
                    if (!probe.TrySkip()) return Stop(checkpoint); // the element is not complete yet
                    using var element = JsonDocument.ParseValue(ref reader);
                    onElement(element.RootElement);
                    continue;
                }
                if (!reader.Read()) return Stop(checkpoint);
                if (reader.CurrentDepth != 1) continue;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        _property = reader.GetString();
                        break;
                    case JsonTokenType.StartArray when _property == "data":
                        _inData = true;
                        break;
                    case JsonTokenType.StartArray or JsonTokenType.StartObject:
                    {
                        // A value we do not need (e.g. data of an error): skip it whole.
                        var skip = checkpoint;
                        skip.Read();
                        if (!skip.TrySkip()) return Stop(checkpoint);
                        reader = skip;
                        break;
                    }
                    case JsonTokenType.Number when _property == "code":
                        Code = reader.GetInt32();
                        break;
                    case JsonTokenType.String when _property == "code":
                        Code = int.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case JsonTokenType.String when _property == "msg":
                        Message = reader.GetString();
                        break;
                }
            }
        }

        private int Stop(Utf8JsonReader checkpoint)
        {
            _state = checkpoint.CurrentState;
            return (int)checkpoint.BytesConsumed;
        }
    }
}

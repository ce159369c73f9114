using System.Runtime.CompilerServices;
using DsOps.Engine.Api.Dto;

namespace DsOps.Engine.Api;

/// <summary>The one paging helper: streams every page of a DS PageInfo endpoint (docs/ds-facts.md §2.2).</summary>
internal static class DsPaging
{
    public const int DefaultPageSize = 100;

    public static async IAsyncEnumerable<T> AllAsync<T>(
        Func<int, int, CancellationToken, Task<PageDto<T>?>> fetchPage,
        int pageSize = DefaultPageSize,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var pageNo = 1; ; pageNo++)
        {
            var page = await fetchPage(pageNo, pageSize, ct).ConfigureAwait(false);
            var items = page?.TotalList;
            if (items is null || items.Count == 0) yield break;
            foreach (var item in items) yield return item;
            // totalPage is computed by DS as ceil(total/pageSize), minimum 1.
            var totalPages = page!.TotalPage > 0 ? page.TotalPage : (int)Math.Ceiling(page.Total / (double)pageSize);
            if (pageNo >= totalPages || items.Count < pageSize) yield break;
        }
    }
}

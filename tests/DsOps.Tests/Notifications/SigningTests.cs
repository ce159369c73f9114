using DsOps.Engine.Notifications;
using Xunit;

namespace DsOps.Tests.Notifications;

/// <summary>Signature vectors from docs/chat-robots.md §1.3 and §3.1.</summary>
public class SigningTests
{
    private const string Vector1Secret = "SECd5a4b3c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4";

    [Fact]
    public void DingTalk_vector_1_base64_and_url_encoding()
    {
        Assert.Equal("fAsfw+lrYizrTzC74qhmQ1ZuGcOWB/117VO7pVFbafk=", Signing.DingTalk("1700000000000", Vector1Secret));
        var url = Signing.DingTalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=tok", Vector1Secret,
            DateTimeOffset.FromUnixTimeMilliseconds(1700000000000));
        Assert.Equal("https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000&sign=fAsfw%2BlrYizrTzC74qhmQ1ZuGcOWB%2F117VO7pVFbafk%3D", url);
    }

    [Fact]
    public void DingTalk_vector_2_from_the_sample_secret() =>
        Assert.Equal("sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=", Signing.DingTalk("1700000000000", "this is secret"));

    [Theory]
    [InlineData("sYpjymv2EAfVJrDILOm8Ua2gU8V2owQADHQleM0WoUQ=")]  // CRLF separator
    [InlineData("nCYHwde9D1WT4mDLaYqJaNDS21C6KdXJyObAYxMtkA8=")]  // timestamp in seconds
    [InlineData("0CCpPO+X6N/qLtO0oFso3W8UE2xiT97ZkNakALedt4Q=")]  // SEC prefix stripped
    public void DingTalk_signature_is_not_any_of_the_documented_mistakes(string wrong) =>
        Assert.NotEqual(wrong, Signing.DingTalk("1700000000000", Vector1Secret));

    [Fact]
    public void Feishu_vector_and_the_dingtalk_recipe_negative()
    {
        var sign = Signing.Feishu("1700000000", "this is secret");
        Assert.Equal("OfGzRzoUICBOoc8wVra1e4A1hPfbZ9zqXozA8CWVUuY=", sign);
        Assert.NotEqual("0gy50rUziRgEQQ5BlfpijB6FVcJUiEcvkYhmxakRD7c=", sign);
        Assert.Equal("0gy50rUziRgEQQ5BlfpijB6FVcJUiEcvkYhmxakRD7c=", Signing.DingTalk("1700000000", "this is secret"));
    }

    [Fact]
    public void Webhook_signature_is_hex_hmac_over_timestamp_dot_body()
    {
        var expected = "sha256=" + Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData(
            "k"u8.ToArray(), "1700000000.{\"a\":1}"u8.ToArray())).ToLowerInvariant();
        Assert.Equal(expected, Signing.Webhook("1700000000", "{\"a\":1}", "k"));
    }
}

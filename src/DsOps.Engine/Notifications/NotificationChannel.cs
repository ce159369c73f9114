namespace DsOps.Engine.Notifications;

/// <summary>The chat platforms and the generic webhook DsOps can post to (docs/chat-robots.md §1-5).</summary>
public enum NotificationChannel
{
    /// <summary>DingTalk custom robot: optional signing (加签), keyword mode, @mobiles.</summary>
    DingTalk,
    /// <summary>WeCom (企业微信) group robot: the key in the URL is the only credential.</summary>
    WeCom,
    /// <summary>Feishu / Lark custom bot: optional signing in the body, keyword mode.</summary>
    Feishu,
    /// <summary>Slack incoming webhook: the URL path is the credential.</summary>
    Slack,
    /// <summary>Any HTTP endpoint taking DsOps's JSON envelope, optionally HMAC-signed in headers.</summary>
    Webhook,
}

/// <summary>How the body of a message is written.</summary>
public enum NotificationFormat
{
    /// <summary>Markdown (each platform's subset; Slack gets it as mrkdwn).</summary>
    Markdown,
    /// <summary>Plain text.</summary>
    Text,
}

using System.Net;
using System.Security;
using DsOps.Engine.Dialects;

namespace DsOps.Engine.Api;

/// <summary>What Connect-DsServer needs. Secrets are SecureStrings / NetworkCredential and are never printed.</summary>
public sealed record DsConnectOptions
{
    public required Uri Uri { get; init; }
    public SecureString? Token { get; init; }
    public NetworkCredential? Credential { get; init; }
    public string? Name { get; init; }
    public DsHttpOptions Http { get; init; } = new();
    /// <summary>Skip detection and use this version's route profile.</summary>
    public DsDialect? Dialect { get; init; }
    public TimeZoneInfo? ServerTimeZone { get; init; }
    /// <summary>For tests: the innermost handler of the HTTP pipeline.</summary>
    internal HttpMessageHandler? InnerHandler { get; init; }
}

/// <summary>
/// A connection to one DS API server: its route profile, authentication and HTTP pipeline.
/// Its text forms show the name, URI and version only; the token or session never appears.
/// </summary>
public sealed class DsConnection : IDisposable
{
    private DsConnection(string name, DsClient client, DsAuthentication auth, DsHttpOptions http, DateTime connectedAt)
    {
        Name = name;
        Client = client;
        Authentication = auth.ToString();
        UserName = auth.UserName;
        TimeoutSec = (int)http.Timeout.TotalSeconds;
        SkipCertificateCheck = http.SkipCertificateCheck;
        ConnectedAt = connectedAt;
        client.Owner = this;
    }

    public string Name { get; }
    public Uri Uri => Client.BaseUri;
    public DsDialect Dialect => Client.Dialect;
    public string Version => Dialect.Version.ToString(3);
    public string Authentication { get; }
    public string? UserName { get; }
    public int TimeoutSec { get; }
    public bool SkipCertificateCheck { get; }
    public DateTime ConnectedAt { get; }
    internal DsClient Client { get; }
    public DsRequestStatistics Statistics => Client.Statistics;

    /// <summary>Logs in or takes the token, then detects the server's version unless one is given.</summary>
    public static async Task<DsConnection> ConnectAsync(DsConnectOptions options, CancellationToken ct = default)
    {
        if (options.Token is null == (options.Credential is null))
            throw new ArgumentException("Give exactly one of a token or a credential.", nameof(options));
        var baseUri = DsHttpPipeline.NormalizeBase(options.Uri);
        try
        {
            return await ConnectCoreAsync(options, baseUri, ct).ConfigureAwait(false);
        }
        catch (DsApiException ex) when (ex.ErrorId is "DsEndpointMissing" or "DsInvalidResponse" or "DsHttpError")
        {
            // DS maps every route DsOps asks for at connect and answers each with its envelope (or 401); HTML, a 404,
            // other JSON or malformed answers mean the address is some other web server (or a proxy's page).
            throw new DsApiException(DsErrorKind.InvalidResponse, "DsNotDolphinScheduler",
                $"{baseUri} does not answer like a DolphinScheduler API server: {ex.Message} " +
                "Check the address: DS's API is usually http://<api-server>:12345/dolphinscheduler.", ex.Endpoint, ex.HttpStatus, inner: ex);
        }
    }

    private static async Task<DsConnection> ConnectCoreAsync(DsConnectOptions options, Uri baseUri, CancellationToken ct)
    {
        DsAuthentication auth;
        if (options.Token is not null)
        {
            auth = DsAuthentication.FromToken(options.Token);
        }
        else
        {
            using var anonymous = new DsClient(baseUri, options.Dialect ?? DsDialect.V3_3, options.Http with { MaxRetries = 0 }, null, options.InnerHandler);
            var login = await anonymous.LoginAsync(options.Credential!.UserName, options.Credential.Password, ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(login?.SessionId))
                throw new DsApiException(DsErrorKind.Authentication, "DsAuthenticationFailed", "The DS server accepted the login but returned no session id.", "POST login");
            using var session = new SecureString();
            foreach (var c in login.SessionId) session.AppendChar(c);
            auth = DsAuthentication.FromSession(session, options.Credential.UserName);
        }

        var client = new DsClient(baseUri, options.Dialect ?? DsDialect.V3_3, options.Http, auth, options.InnerHandler, options.ServerTimeZone);
        try
        {
            if (options.Dialect is null)
                client.Dialect = await DsDialectDetector.DetectAsync(client, ct).ConfigureAwait(false);
            else
                await DsDialectDetector.VerifyAccessAsync(client, ct).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        var name = string.IsNullOrWhiteSpace(options.Name) ? baseUri.Host : options.Name!;
        return new DsConnection(name, client, auth, options.Http, DateTime.Now);
    }

    public override string ToString() => $"{Name} ({Uri}, DS {Version})";

    public void Dispose() => Client.Dispose();
}

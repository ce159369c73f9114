using System.Management.Automation;
using MySqlConnector;

namespace DsOps.Infrastructure;

/// <summary>Builds MySQL connection strings from a string plus an optional PSCredential; never echoes them.</summary>
public static class DsConnectionStrings
{
    public static string With(string connectionString, PSCredential? credential)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString);
        if (credential is not null)
        {
            builder.UserID = credential.UserName;
            builder.Password = credential.GetNetworkCredential().Password;
        }
        return builder.ConnectionString;
    }

    /// <summary>"server:port/database" for ShouldProcess targets and messages (no user, no password).</summary>
    public static string Describe(string connectionString)
    {
        var b = new MySqlConnectionStringBuilder(connectionString);
        return $"{b.Server}:{b.Port}/{b.Database}";
    }
}

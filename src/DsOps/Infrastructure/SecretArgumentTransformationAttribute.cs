using System.Management.Automation;
using System.Net;
using System.Security;

namespace DsOps.Infrastructure;

/// <summary>
/// Lets a string parameter that holds a credential (a webhook URL) also take a SecureString or a
/// PSCredential (its password), so scheduled jobs can pass <c>(Get-Secret DingTalkRobot)</c> and keep
/// secrets out of scripts. Plain strings pass through unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecretArgumentTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            SecureString secure => Plain(secure),
            PSCredential credential => Plain(credential.Password),
            _ => inputData,
        };
    }

    /// <summary>The plain text of a SecureString, for handing to the engine (which never prints it).</summary>
    public static string Plain(SecureString secure) => new NetworkCredential(string.Empty, secure).Password;
}

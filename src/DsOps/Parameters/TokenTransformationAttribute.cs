using System.Management.Automation;
using System.Security;

namespace DsOps.Parameters;

/// <summary>
/// -Token: a SecureString, or a PSCredential whose password is the token. A plain string is refused with a message
/// that says what to pass (a token typed in clear lands in the history and transcripts).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TokenTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject p ? p.BaseObject : inputData) switch
        {
            SecureString s => s,
            PSCredential c => c.Password,
            string => throw new ArgumentTransformationMetadataException(
                "-Token takes a SecureString, not plain text: pass (Read-Host -AsSecureString), (ConvertTo-SecureString $text -AsPlainText -Force), " +
                "a secret from Get-Secret, or a PSCredential whose password is the token."),
            var other => other,
        };
}

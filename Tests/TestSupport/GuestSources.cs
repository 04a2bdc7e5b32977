using System.Security.Cryptography;
using System.Text;

namespace TestSupport;

/// <summary>
/// The hash of the guest's sources, computed exactly as Guest/tools/source-hash.sh does, so that a
/// test can tell when Guest/prebuilt/ was built from other sources than those in the tree.
/// </summary>
public static class GuestSources
{
    public static string Hash(string guestDir)
    {
        var files = Directory.EnumerateFiles(guestDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(guestDir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("build/", StringComparison.Ordinal)
                && !f.StartsWith("prebuilt/", StringComparison.Ordinal)
                && !f.EndsWith(".o", StringComparison.Ordinal)
                && !f.EndsWith(".d", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal);
        var listing = new StringBuilder();
        foreach (string f in files)
        {
            byte[] content = File.ReadAllBytes(Path.Combine(guestDir, f));
            listing.Append(f).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }
}

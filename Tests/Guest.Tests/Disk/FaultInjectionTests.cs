using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TestSupport;

namespace Guest.Tests.Disk;

/// <summary>
/// MINIX-style fault injection (test=fslog): blkd and ext2fs are killed at random points while Mica appends
/// numbered records; afterwards every acknowledged record must be in the file, in order, and e2fsck must find
/// the file system clean. CI runs a small count; docs/DISKS.md has the long run.
/// </summary>
public sealed partial class FaultInjectionTests : IDisposable
{
    private const int Kills = 20;
    private const int RecordLength = 32;
    private readonly string dir = Directory.CreateTempSubdirectory("mica-fslog").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [GeneratedRegex(@"fslog: (\d+) kills \(blkd (\d+), ext2fs (\d+)\); (\d+) records acknowledged")]
    private static partial Regex Summary();

    /// <summary>The record the guest writes as number <paramref name="seq"/>.</summary>
    public static string Record(long seq) => string.Create(CultureInfo.InvariantCulture, $"record {seq:D8} of the mica log\n");

    /// <summary>
    /// Checks that <paramref name="log"/> holds records 0 .. acknowledged - 1 in order, and at most the one record
    /// after them (written, not yet acknowledged when the run ended); returns the number of records found.
    /// </summary>
    public static long AssertNoRecordLost(byte[] log, long acknowledged)
    {
        Assert.True(log.Length % RecordLength == 0, $"the log is {log.Length} bytes, not whole records");
        long found = log.Length / RecordLength;
        Assert.True(found >= acknowledged && found <= acknowledged + 1, $"{found} records in the file, {acknowledged} acknowledged");
        for (long i = 0; i < found; i++)
        {
            string got = Encoding.ASCII.GetString(log, (int)(i * RecordLength), RecordLength);
            Assert.True(got == Record(i), $"record {i} is '{got.TrimEnd()}'");
        }

        return found;
    }

    [Theory]
    [MemberData(nameof(DiskPlatform.Both), MemberType = typeof(DiskPlatform))]
    public void NoAcknowledgedRecordIsLostWhileTheDiskDriversAreKilled(string platform)
    {
        string empty = Path.Combine(dir, "root");
        Directory.CreateDirectory(empty);
        string image = Path.Combine(dir, "log.img");
        Ext2Tools.Make(image, empty, 16);

        ProcessResult r = DiskPlatform.Boot(platform, $"test=fslog kills={Kills}", image, TimeSpan.FromSeconds(600));
        DiskPlatform.AssertPassed(r, "fslog");
        Match m = Summary().Match(r.StandardOutput);
        Assert.True(m.Success, "no summary; COM1 said:\n" + r.StandardOutput);
        Assert.Equal(Kills, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        long acknowledged = long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.True(acknowledged > 0, "no record was acknowledged");

        (int status, string fsck) = Ext2Tools.Check(image);
        Assert.True(status == 0, "e2fsck -fn found problems:\n" + fsck);
        AssertNoRecordLost(Ext2Tools.Read(image, "/log.txt") ?? [], acknowledged);
    }
}

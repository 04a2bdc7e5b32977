using System.Text;
using Emulator.Display.Integration;

namespace Emulator.Tests.Display;

public class SerialTextWatchTests
{
    private static int Feed(SerialTextWatch watch, string output)
    {
        int firedAt = -1;
        byte[] bytes = Encoding.Latin1.GetBytes(output);
        for (int i = 0; i < bytes.Length; i++)
        {
            bool before = watch.Seen;
            watch.Write(bytes[i]);
            if (!before && watch.Seen)
            {
                firedAt = i;
            }
        }

        return firedAt;
    }

    [Theory]
    [InlineData("mica> ", "[fbd] ready\nmica> ", 17)]
    [InlineData("mica", "mmica", 4)]
    [InlineData("aab", "aaab", 3)]
    [InlineData("abab", "ababab", 3)]
    [InlineData("PASS", "TEST hello: PAS", -1)]
    public void FiresRightAfterTheByteThatCompletesTheText(string text, string output, int expectedIndex)
    {
        int calls = 0;
        var watch = new SerialTextWatch(text, () => calls++);
        Assert.Equal(expectedIndex, Feed(watch, output));
        Assert.Equal(expectedIndex >= 0 ? 1 : 0, calls);
    }

    [Fact]
    public void FiresOnlyOnce()
    {
        int calls = 0;
        var watch = new SerialTextWatch("ok", () => calls++);
        Feed(watch, "ok ok ok");
        Assert.Equal(1, calls);
    }
}

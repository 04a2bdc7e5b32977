namespace TestSupport;

/// <summary>Runs guest images on qemu-system-x86_64, the reference platform.</summary>
public static class Qemu
{
    /// <summary>
    /// Boots a multiboot kernel as DESIGN.md section 7 spells it and returns what COM1 printed.
    /// Skips (fails under CI) when QEMU is not installed. <paramref name="stdin"/> is typed on COM1.
    /// </summary>
    public static ProcessResult RunKernel(string kernel, string? initrd = null, string? append = null, TimeSpan? timeout = null, IEnumerable<string>? extraArgs = null, string? stdin = null)
    {
        string qemu = ExternalTool.Require("qemu-system-x86_64", "the reference platform for guest tests");
        var args = new List<string> { "-kernel", kernel };
        if (initrd is not null)
        {
            args.AddRange(["-initrd", initrd]);
        }

        if (append is not null)
        {
            args.AddRange(["-append", append]);
        }

        args.AddRange(["-serial", "stdio", "-display", "none", "-vga", "std", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-m", "256M"]);
        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }

        return ExternalTool.Run(qemu, args, timeout ?? TimeSpan.FromSeconds(60), stdin);
    }
}

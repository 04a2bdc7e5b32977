namespace TestSupport;

/// <summary>Runs guest images on qemu-system-x86_64, the reference platform.</summary>
public static class Qemu
{
    /// <summary>
    /// Boots a multiboot kernel as DESIGN.md section 7 spells it and returns what COM1 printed.
    /// Skips (fails under CI) when QEMU is not installed. <paramref name="stdin"/> is typed on COM1.
    /// With <paramref name="reboot"/> false (the default, -no-reboot) a reset or triple fault ends QEMU.
    /// </summary>
    public static ProcessResult RunKernel(string kernel, string? initrd = null, string? append = null, TimeSpan? timeout = null, IEnumerable<string>? extraArgs = null, string? stdin = null, bool reboot = false)
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

        args.AddRange(["-serial", "stdio", "-display", "none", "-vga", "std",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-m", "256M"]);
        if (!reboot)
        {
            args.Add("-no-reboot");
        }

        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }

        return ExternalTool.Run(qemu, args, timeout ?? TimeSpan.FromSeconds(60), stdin);
    }

    /// <summary>
    /// Runs QEMU with <paramref name="args"/> and COM1 on its standard input and output; once the output
    /// contains <paramref name="afterText"/>, writes <paramref name="input"/>. Returns when QEMU exits or
    /// the timeout passes. Skips (fails under CI) when QEMU is not installed.
    /// </summary>
    public static ProcessResult RunInteractive(IEnumerable<string> args, string afterText, string input, TimeSpan timeout)
    {
        string qemu = ExternalTool.Require("qemu-system-x86_64", "the reference platform for guest tests");
        var psi = new System.Diagnostics.ProcessStartInfo(qemu)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("could not start " + qemu);
        var output = new System.Text.StringBuilder();
        bool sent = false;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        var reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, n);
                    if (!sent && output.ToString().Contains(afterText, StringComparison.Ordinal))
                    {
                        sent = true;
                        p.StandardInput.Write(input);
                        p.StandardInput.Flush();
                    }
                }
            }
        });
        bool exited = p.WaitForExit(timeout);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        reader.Wait(TimeSpan.FromSeconds(10));
        lock (output)
        {
            return new ProcessResult(exited ? p.ExitCode : -1, output.ToString(), stderr.Result, !exited);
        }
    }
}

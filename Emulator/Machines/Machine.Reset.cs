using Emulator.Boot;

namespace Emulator.Machines;

/// <summary>The boot image and the RESET line: what power-on places in RAM, and doing it again on a reset.</summary>
public sealed partial class Machine
{
    private volatile bool resetRequested;
    private long resets;
    private byte[]? kernelImage;
    private List<(byte[] Image, string CommandLine)> moduleImages = [];

    /// <summary>
    /// The guest (0xCF9, port 0x92, the i8042's pulse) or the host (the window's host key + R) asks for a reset.
    /// With <see cref="MachineConfiguration.NoReboot"/> the run ends with <see cref="StopCause.Reset"/> instead,
    /// as QEMU's -no-reboot does. Thread-safe: the reset itself happens on the run loop's thread, at its next turn.
    /// </summary>
    public void RequestReset()
    {
        resetRequested = true;
        Processor.RequestStop();
        Clock.Wake();
    }

    /// <summary>
    /// RESET: the processor to its power-up state, every device reset, RAM cleared and the boot image placed
    /// again, as at power-on (the loader stands in for the firmware that would load it). The virtual clock, the
    /// CMOS RAM and the disks' contents go on, as they do across a PC's reset.
    /// </summary>
    private void ResetNow()
    {
        resets++;
        Processor.Reset();
        Ram.Clear();
        Pic.Reset();
        Pit.Reset();
        SystemControl.Reset();
        ResetPort.Reset();
        Rtc.Reset();
        Keyboard.Reset();
        Serial.Reset();
        Hpet.Reset();
        AcpiPm.Reset();
        LocalApic.Reset();
        IoApic.Reset();
        Display.Reset();
        PciTest?.Reset();
        foreach (Devices.Virtio.VirtioBlock disk in Disks)
        {
            disk.Reset();
        }

        if (kernelImage is not null)
        {
            PlaceBootImage();
        }
    }

    private void LoadKernel(MachineConfiguration config)
    {
        kernelImage = ReadImage(config.KernelPath!, "kernel");
        moduleImages = [.. config.Modules.Select(m => (ReadImage(m.Path, "module"), m.CommandLine))];
        if (LinuxLoader.IsBzImage(kernelImage) && moduleImages.Count > 1)
        {
            throw new BootImageException("a Linux kernel takes one initrd, not a list of modules");
        }

        PlaceBootImage();
    }

    /// <summary>Loads the kernel and modules read at power-on into RAM and sets the entry state their loader hands over in.</summary>
    private void PlaceBootImage()
    {
        byte[] kernel = kernelImage!;
        if (LinuxLoader.IsBzImage(kernel))
        {
            Boot = LinuxLoader.Load(Ram, kernel, moduleImages.Count == 1 ? moduleImages[0].Image : null, configuration.CommandLine);
            BootEntryState.Linux(Processor.State, Boot);
        }
        else
        {
            string path = configuration.KernelPath!;
            string commandLine = configuration.CommandLine.Length == 0 ? path : path + " " + configuration.CommandLine;
            Boot = MultibootLoader.Load(Ram, kernel, commandLine, moduleImages);
            BootEntryState.Multiboot(Processor.State, Boot);
        }

        Processor.Memory.SetPagingControls(Processor.State.Cr0, Processor.State.Cr4, Processor.State.Efer);
    }

    private static byte[] ReadImage(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{what} {path} is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} file not found: {path}", path);
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new BootImageException($"cannot read {what} {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new BootImageException($"cannot read {what} {path}: {ex.Message}");
        }
    }
}

using Devices.Timing;
using Emulator.Boot;
using Emulator.Machines;
using TestSupport;

namespace Guest.Tests.Emu;

/// <summary>The bundled Mica image (kernel and initfs) as a machine configuration, for in-process runs.</summary>
public static class MicaMachine
{
    /// <summary>Mica with <paramref name="commandLine"/> (e.g. "test=ipc"; empty boots the shell) on <paramref name="clock"/>.</summary>
    public static MachineConfiguration Configuration(ClockMode clock, string commandLine = "")
    {
        string initfs = RepoPaths.GuestImage("initfs.tar");
        return new MachineConfiguration
        {
            KernelPath = RepoPaths.GuestImage("mica.elf"),
            Modules = [new MultibootModule(initfs, initfs)],
            CommandLine = commandLine,
            ClockMode = clock,
        };
    }
}

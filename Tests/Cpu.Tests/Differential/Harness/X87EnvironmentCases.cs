using System.Buffers.Binary;
using Iced.Intel;

namespace Cpu.Tests.Differential.Harness;

/// <summary>
/// The memory operand of FLDENV/FRSTOR (an environment in the 64-bit mode's protected-mode layout, SDM
/// Vol. 1 Figures 8-9/8-10, with every exception masked so no fault becomes pending on the host, and the
/// registers of a random stack) and what FNSTENV/FNSAVE store that cannot be compared: the instruction and
/// data pointers and the opcode, which the host (AMD) stores only while an exception is pending.
/// </summary>
public static class X87EnvironmentCases
{
    public static bool IsEnvironment(MemorySize size) =>
        size is MemorySize.FpuEnv14 or MemorySize.FpuEnv28 or MemorySize.FpuState94 or MemorySize.FpuState108;

    public static void Prepare(CaseBuilder b, Code code, ulong address, byte[] image)
    {
        MemorySize size = code.ToOpCode().MemorySize;
        bool small = size is MemorySize.FpuEnv14 or MemorySize.FpuState94;
        int environment = small ? 14 : 28;
        if (code is Code.Fldenv_m14byte or Code.Fldenv_m28byte or Code.Frstor_m94byte or Code.Frstor_m108byte)
        {
            ushort control = BinaryPrimitives.ReadUInt16LittleEndian(image);
            ushort status = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(2));
            ushort tag = (ushort)b.Rng.Next(0x10000);
            int step = small ? 2 : 4;
            b.Write(address, 2, control);
            b.Write(address + (ulong)step, 2, status);
            b.Write(address + (ulong)(2 * step), 2, tag);
            for (int i = 0; i < 8; i++)
            {
                (ulong low, ulong high) = X87Cases.Extended(b.Rng);
                b.Write(address + (ulong)(environment + (10 * i)), 8, low);
                b.Write(address + (ulong)(environment + (10 * i) + 8), 2, high);
            }

            return;
        }

        // The pointer fields: FIP, FCS/FOP, FDP, FDS (bytes 6-13 of the 14-byte layout, 12-27 of the 28-byte one).
        b.UndefineMemory(small ? address + 6 : address + 12, small ? 8 : 16);
    }
}

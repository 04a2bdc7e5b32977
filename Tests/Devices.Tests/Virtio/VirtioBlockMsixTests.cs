using Devices.Virtio;

namespace Devices.Tests.Virtio;

/// <summary>
/// virtio-blk's MSI-X (PCI 3.0 6.8.2, virtio 1.1 4.1.4.3 and 4.1.5): the table and pending bits in BAR1, vectors
/// chosen through msix_config and queue_msix_vector, a used-buffer notification as a message to the local APIC's
/// window instead of INTA#, masking holding it as a pending bit, and INTA# again once MSI-X is turned off.
/// </summary>
public sealed class VirtioBlockMsixTests : VirtioBlockTestBase
{
    private const int Control = 0x9A; // the MSI-X capability at 0x98: message control
    private const uint Enable = 0x8000;
    private const uint FunctionMask = 0x4000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheQueuesVectorCarriesTheCompletionAndMaskingHoldsItPending(bool ioWorker)
    {
        VirtioBlock d = Create(ioWorker: ioWorker);
        InitModern(VirtioBlock.FeatureVersion1);
        d.WriteConfig(Control, 2, Enable);
        Assert.True(d.MsixEnabled);
        Assert.Equal(1u, d.ReadConfig(Control, 2) & 0x7FF); // the table size is read-only
        Entry(0, 0xFEE0_0000, 0x40, masked: false);
        Entry(1, 0xFEE0_0000, 0x41, masked: false);
        Assert.Equal(0xFEE0_0000UL, Bus.Read(MsixBar + 16, 4));
        Assert.Equal(0x41UL, Bus.Read(MsixBar + 24, 4));

        SetCommon(16, 2, 0); // msix_config
        SetCommon(22, 2, 0);
        SetCommon(26, 2, 5); // not in the table: refused
        Assert.Equal((ulong)VirtioBlock.NoVector, Common(26, 2));
        SetCommon(26, 2, 1);
        Assert.Equal(0UL, Common(16, 2));
        Assert.Equal(1UL, Common(26, 2));

        Read(0);
        Assert.Equal([(0xFEE0_0000UL, 0x41u)], Messages);
        Assert.Empty(Levels); // no INTA# while MSI-X is on
        Assert.Equal(1, d.Counters.Interrupts);

        Bus.Write(MsixBar + 16 + 12, 4, 1); // mask vector 1
        Read(1);
        Assert.Single(Messages);
        Assert.Equal(2UL, Bus.Read(MsixBar + VirtioBlock.MsixPbaOffset, 8)); // pending bit 1
        Bus.Write(MsixBar + 16 + 12, 4, 0); // unmask: the pending message goes out
        Assert.Equal(2, Messages.Count);
        Assert.Equal(0UL, Bus.Read(MsixBar + VirtioBlock.MsixPbaOffset, 8));

        d.WriteConfig(Control, 2, Enable | FunctionMask);
        Read(2);
        Assert.Equal(2, Messages.Count);
        d.WriteConfig(Control, 2, Enable);
        Assert.Equal(3, Messages.Count);

        d.WriteConfig(Control, 2, 0); // MSI-X off: INTA# again
        Read(3);
        Assert.Equal(3, Messages.Count);
        Assert.Equal([true], Levels);
        byte[] back = new byte[512];
        Bus.ReadDma(Data, back);
        Assert.Equal(FileBytes(3, 1), back);
    }

    [Fact]
    public void ANoVectorQueueSendsNothingAndAResetForgetsTheVectors()
    {
        VirtioBlock d = Create();
        InitModern(VirtioBlock.FeatureVersion1);
        d.WriteConfig(Control, 2, Enable);
        Entry(1, 0xFEE0_0000, 0x41, masked: false);
        Assert.Equal((ulong)VirtioBlock.NoVector, Common(26, 2)); // reset value
        Read(0);
        Assert.Empty(Messages);
        Assert.Empty(Levels);
        Assert.Equal(1UL, Common(VirtioBlock.IsrOffset, 1)); // the ISR bit is set either way, as QEMU does

        SetCommon(26, 2, 1);
        SetCommon(20, 1, 0); // device reset
        Assert.Equal((ulong)VirtioBlock.NoVector, Common(26, 2));
        Assert.Equal((ulong)VirtioBlock.NoVector, Common(16, 2));
    }

    [Fact]
    public void TheLegacyLayoutGainsTheVectorRegistersWhileMsixIsOn()
    {
        VirtioBlock d = Create();
        const ushort io = 0xC000;
        Assert.Equal((uint)Sectors, Ports.In(io + VirtioBlock.LegacyConfigOffset, 4)); // capacity at 20
        d.WriteConfig(Control, 2, Enable);
        Ports.Out(io + 20, 2, 0); // config vector
        Ports.Out(io + 22, 2, 1); // queue vector (queue 0 selected)
        Assert.Equal(0u, Ports.In(io + 20, 2));
        Assert.Equal(1u, Ports.In(io + 22, 2));
        Assert.Equal((uint)Sectors, Ports.In(io + 24, 4)); // capacity moved to 24
    }

    private void Entry(int vector, uint address, uint data, bool masked)
    {
        ulong at = MsixBar + (16UL * (ulong)vector);
        Bus.Write(at, 4, address);
        Bus.Write(at + 4, 4, 0);
        Bus.Write(at + 8, 4, data);
        Bus.Write(at + 12, 4, masked ? 1u : 0u);
    }

    private void Read(ulong sector)
    {
        ChainHeaderDataStatus(BlockRequestType.In, sector, 512, deviceWritesData: true);
        Offer(0);
        NotifyModern();
        Advance(VirtioBlock.CompletionLatencyNs);
        Assert.Equal((ulong)BlockRequestType.StatusOk, Bus.Read(StatusByte, 1));
    }
}

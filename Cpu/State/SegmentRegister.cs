namespace Cpu.State;

/// <summary>A segment register: the visible selector and the hidden descriptor cache (Intel SDM 3.4.3).</summary>
public struct SegmentRegister
{
    public ushort Selector;
    public ulong Base;
    public uint Limit;

    /// <summary>Descriptor attributes as in bits 40-55 of the descriptor (type, S, DPL, P, AVL, L, D/B, G), shifted down by 40.</summary>
    public ushort Attributes;
}

using Cpu.Decode;

namespace Cpu.Translation;

/// <summary>
/// Blocks compiled as one method (<see cref="RegionFormer"/>): <see cref="Members"/>, the head first, and for each
/// member that ends in a RET or an indirect branch, the members its target was seen to be (or, for a RET, the return
/// addresses of the region's calls), which the method checks the target against before it leaves.
/// </summary>
public sealed record Region(DecodedBlock[] Members, ulong[][] IndirectTargets);

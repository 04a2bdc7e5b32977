namespace Emulator.Display;

/// <summary>Rows <see cref="First"/> to <c>First + Count - 1</c> of a frame: what changed since the last copy.</summary>
public readonly record struct RowRange(int First, int Count)
{
    /// <summary>No rows.</summary>
    public static readonly RowRange None = new(0, 0);

    public bool IsEmpty => Count <= 0;

    /// <summary>All rows of a frame <paramref name="height"/> rows tall.</summary>
    public static RowRange All(int height) => new(0, height);
}

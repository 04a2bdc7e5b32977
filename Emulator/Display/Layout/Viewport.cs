namespace Emulator.Display.Layout;

/// <summary>A rectangle in window pixels, origin at the top left.</summary>
public readonly record struct Viewport(int X, int Y, int Width, int Height);

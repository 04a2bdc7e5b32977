namespace Emulator.Display.Keyboard;

/// <summary>What happened to a key; the values are GLFW's (GLFW_RELEASE, GLFW_PRESS, GLFW_REPEAT).</summary>
public enum KeyAction
{
    Release = 0,
    Press = 1,
    Repeat = 2,
}

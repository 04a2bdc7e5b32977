using System.Runtime.InteropServices;

namespace Emulator.Display.Glfw;

/// <summary>
/// The few functions of the system's GLFW 3.3 (<c>libglfw.so.3</c>, Debian's libglfw3) that the window uses.
/// Silk.NET's own GLFW binding is not on the package mirror, and a dozen imports are simpler than a package.
/// All of these must be called on the thread that called <see cref="Init"/> (GLFW's main-thread rule),
/// except <see cref="PostEmptyEvent"/>, which any thread may call.
/// </summary>
internal static unsafe partial class GlfwNative
{
    public const string Library = "libglfw.so.3";

    public const int True = 1;
    public const int False = 0;

    public const int Resizable = 0x0002_0003;
    public const int Visible = 0x0002_0004;
    public const int ContextVersionMajor = 0x0002_2002;
    public const int ContextVersionMinor = 0x0002_2003;
    public const int OpenGlForwardCompat = 0x0002_2006;
    public const int OpenGlProfile = 0x0002_2008;
    public const int OpenGlCoreProfile = 0x0003_2001;

    [LibraryImport(Library, EntryPoint = "glfwInit")]
    public static partial int Init();

    [LibraryImport(Library, EntryPoint = "glfwTerminate")]
    public static partial void Terminate();

    /// <summary>The last error's code (0 for none) and its UTF-8 description, owned by GLFW.</summary>
    [LibraryImport(Library, EntryPoint = "glfwGetError")]
    public static partial int GetError(out nint description);

    [LibraryImport(Library, EntryPoint = "glfwWindowHint")]
    public static partial void WindowHint(int hint, int value);

    [LibraryImport(Library, EntryPoint = "glfwCreateWindow", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint CreateWindow(int width, int height, string title, nint monitor, nint share);

    [LibraryImport(Library, EntryPoint = "glfwDestroyWindow")]
    public static partial void DestroyWindow(nint window);

    [LibraryImport(Library, EntryPoint = "glfwMakeContextCurrent")]
    public static partial void MakeContextCurrent(nint window);

    [LibraryImport(Library, EntryPoint = "glfwGetProcAddress", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint GetProcAddress(string name);

    [LibraryImport(Library, EntryPoint = "glfwSwapBuffers")]
    public static partial void SwapBuffers(nint window);

    [LibraryImport(Library, EntryPoint = "glfwSwapInterval")]
    public static partial void SwapInterval(int interval);

    [LibraryImport(Library, EntryPoint = "glfwPollEvents")]
    public static partial void PollEvents();

    [LibraryImport(Library, EntryPoint = "glfwWaitEventsTimeout")]
    public static partial void WaitEventsTimeout(double seconds);

    [LibraryImport(Library, EntryPoint = "glfwPostEmptyEvent")]
    public static partial void PostEmptyEvent();

    [LibraryImport(Library, EntryPoint = "glfwWindowShouldClose")]
    public static partial int WindowShouldClose(nint window);

    [LibraryImport(Library, EntryPoint = "glfwSetWindowShouldClose")]
    public static partial void SetWindowShouldClose(nint window, int value);

    [LibraryImport(Library, EntryPoint = "glfwSetWindowTitle", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetWindowTitle(nint window, string title);

    [LibraryImport(Library, EntryPoint = "glfwGetFramebufferSize")]
    public static partial void GetFramebufferSize(nint window, out int width, out int height);

    /// <summary>Callback (window, key, scancode, action, mods); returns the previous callback.</summary>
    [LibraryImport(Library, EntryPoint = "glfwSetKeyCallback")]
    public static partial nint SetKeyCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, int, int, int, void> callback);

    /// <summary>Callback (window, width, height) in framebuffer pixels.</summary>
    [LibraryImport(Library, EntryPoint = "glfwSetFramebufferSizeCallback")]
    public static partial nint SetFramebufferSizeCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, int, void> callback);

    /// <summary>Callback (window, focused).</summary>
    [LibraryImport(Library, EntryPoint = "glfwSetWindowFocusCallback")]
    public static partial nint SetWindowFocusCallback(nint window, delegate* unmanaged[Cdecl]<nint, int, void> callback);

    /// <summary>The last GLFW error as one line, or null when there was none.</summary>
    public static string? LastError()
    {
        int code = GetError(out nint description);
        if (code == 0)
        {
            return null;
        }

        string text = description == 0 ? "unknown error" : Marshal.PtrToStringUTF8(description) ?? "unknown error";
        return $"{text} (GLFW error 0x{code:X})";
    }
}

using Emulator.Display.Layout;
using Silk.NET.OpenGL;

namespace Emulator.Display.Rendering;

/// <summary>
/// Draws the guest frame as a texture on a full-screen quad through OpenGL 3.3 core, and optionally the
/// overlay as a second texture in the top-right corner. The frame texture is re-created when the guest's
/// mode changes size and otherwise updated in place with the 32 bpp BGRX pixels as they are (no conversion:
/// the texture is uploaded as BGRA bytes and the shader ignores alpha). Use on the GL context's thread only.
/// </summary>
internal sealed unsafe class FrameRenderer : IDisposable
{
    private const string VertexShader = """
        #version 330 core
        layout(location = 0) in vec2 position;
        out vec2 uv;
        void main()
        {
            // Texture row 0 is the top line of the guest's screen.
            uv = vec2((position.x + 1.0) * 0.5, (1.0 - position.y) * 0.5);
            gl_Position = vec4(position, 0.0, 1.0);
        }
        """;

    private const string FragmentShader = """
        #version 330 core
        in vec2 uv;
        uniform sampler2D frame;
        out vec4 color;
        void main()
        {
            color = vec4(texture(frame, uv).rgb, 1.0);
        }
        """;

    private readonly GL gl;
    private readonly uint program;
    private readonly uint vertexArray;
    private readonly uint vertexBuffer;
    private readonly uint frameTexture;
    private readonly uint overlayTexture;
    private int frameWidth;
    private int frameHeight;
    private int overlayWidth;
    private int overlayHeight;

    public FrameRenderer(GL gl)
    {
        this.gl = gl;
        program = LinkProgram();
        vertexArray = gl.GenVertexArray();
        gl.BindVertexArray(vertexArray);
        vertexBuffer = gl.GenBuffer();
        gl.BindBuffer(BufferTargetARB.ArrayBuffer, vertexBuffer);
        ReadOnlySpan<float> quad = [-1f, -1f, 1f, -1f, -1f, 1f, 1f, 1f];
        fixed (float* q = quad)
        {
            gl.BufferData(BufferTargetARB.ArrayBuffer, (nuint)(quad.Length * sizeof(float)), q, BufferUsageARB.StaticDraw);
        }

        gl.EnableVertexAttribArray(0);
        gl.VertexAttribPointer(0, 2, VertexAttribPointerType.Float, false, 2 * sizeof(float), (void*)0);
        frameTexture = CreateTexture();
        overlayTexture = CreateTexture();
        gl.PixelStore(PixelStoreParameter.UnpackAlignment, 4);
    }

    /// <summary>The size of the frame texture (0 before the first upload).</summary>
    public (int Width, int Height) FrameSize => (frameWidth, frameHeight);

    /// <summary>Uploads a frame; a new size makes a new texture image, the same size updates it in place.</summary>
    public void UploadFrame(ReadOnlySpan<uint> pixels, int width, int height)
    {
        Upload(frameTexture, pixels, width, height, ref frameWidth, ref frameHeight);
    }

    /// <summary>Uploads the overlay's pixels.</summary>
    public void UploadOverlay(ReadOnlySpan<uint> pixels, int width, int height)
    {
        Upload(overlayTexture, pixels, width, height, ref overlayWidth, ref overlayHeight);
    }

    /// <summary>Clears the window to black and draws the frame into <paramref name="frameViewport"/>, then the overlay if asked.</summary>
    public void Draw(int windowWidth, int windowHeight, Viewport frameViewport, bool overlay, int overlayScale)
    {
        gl.Viewport(0, 0, (uint)windowWidth, (uint)windowHeight);
        gl.ClearColor(0f, 0f, 0f, 1f);
        gl.Clear(ClearBufferMask.ColorBufferBit);
        gl.UseProgram(program);
        gl.BindVertexArray(vertexArray);
        gl.ActiveTexture(TextureUnit.Texture0);
        if (frameWidth > 0)
        {
            SetViewport(windowHeight, frameViewport);
            gl.BindTexture(TextureTarget.Texture2D, frameTexture);
            gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
        }

        if (overlay && overlayWidth > 0)
        {
            // Top right: the console's text starts at the top left.
            int width = overlayWidth * overlayScale;
            SetViewport(windowHeight, new Viewport(Math.Max(0, windowWidth - width), 0, width, overlayHeight * overlayScale));
            gl.BindTexture(TextureTarget.Texture2D, overlayTexture);
            gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
        }
    }

    public void Dispose()
    {
        gl.DeleteTexture(frameTexture);
        gl.DeleteTexture(overlayTexture);
        gl.DeleteBuffer(vertexBuffer);
        gl.DeleteVertexArray(vertexArray);
        gl.DeleteProgram(program);
    }

    private void SetViewport(int windowHeight, Viewport v)
    {
        // OpenGL's window origin is the bottom left; Viewport's is the top left.
        gl.Viewport(v.X, windowHeight - v.Y - v.Height, (uint)v.Width, (uint)v.Height);
    }

    private void Upload(uint texture, ReadOnlySpan<uint> pixels, int width, int height, ref int currentWidth, ref int currentHeight)
    {
        gl.BindTexture(TextureTarget.Texture2D, texture);
        fixed (uint* p = pixels)
        {
            if (width != currentWidth || height != currentHeight)
            {
                gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.Rgba8, (uint)width, (uint)height, 0, PixelFormat.Bgra, PixelType.UnsignedByte, p);
                currentWidth = width;
                currentHeight = height;
            }
            else
            {
                gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)width, (uint)height, PixelFormat.Bgra, PixelType.UnsignedByte, p);
            }
        }
    }

    private uint CreateTexture()
    {
        uint texture = gl.GenTexture();
        gl.BindTexture(TextureTarget.Texture2D, texture);
        // Nearest: guest pixels stay sharp; with integer scaling every guest pixel becomes a whole block.
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)TextureMinFilter.Nearest);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)TextureMagFilter.Nearest);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapS, (int)TextureWrapMode.ClampToEdge);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapT, (int)TextureWrapMode.ClampToEdge);
        return texture;
    }

    private uint LinkProgram()
    {
        uint vertex = CompileShader(ShaderType.VertexShader, VertexShader);
        uint fragment = CompileShader(ShaderType.FragmentShader, FragmentShader);
        uint linked = gl.CreateProgram();
        gl.AttachShader(linked, vertex);
        gl.AttachShader(linked, fragment);
        gl.LinkProgram(linked);
        gl.GetProgram(linked, ProgramPropertyARB.LinkStatus, out int ok);
        if (ok == 0)
        {
            throw new InvalidOperationException("OpenGL shader program did not link: " + gl.GetProgramInfoLog(linked));
        }

        gl.DeleteShader(vertex);
        gl.DeleteShader(fragment);
        gl.UseProgram(linked);
        gl.Uniform1(gl.GetUniformLocation(linked, "frame"), 0);
        return linked;
    }

    private uint CompileShader(ShaderType type, string source)
    {
        uint shader = gl.CreateShader(type);
        gl.ShaderSource(shader, source);
        gl.CompileShader(shader);
        gl.GetShader(shader, ShaderParameterName.CompileStatus, out int ok);
        if (ok == 0)
        {
            throw new InvalidOperationException($"OpenGL {type} did not compile: " + gl.GetShaderInfoLog(shader));
        }

        return shader;
    }
}

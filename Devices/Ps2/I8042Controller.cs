using System.Collections.Concurrent;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Ps2;

/// <summary>
/// The i8042 PS/2 controller at 0x60 (data) and 0x64 (status/command) with an AT keyboard on its first
/// port (IRQ 1). Controller commands: read/write the command byte (0x20/0x60), self-test (0xAA gives 0x55),
/// interface tests (0xAB, 0xA9), disable/enable keyboard (0xAD/0xAE) and aux port (0xA7/0xA8), output port
/// (0xD0/0xD1), writes to the output buffer (0xD2/0xD3) and the reset pulse (0xFE). Keyboard commands:
/// reset (0xFF gives FA AA), enable/disable scanning (0xF4/0xF5), defaults (0xF6), scancode set (0xF0),
/// LEDs (0xED), typematic (0xF3), identify (0xF2), echo (0xEE). A PS/2 mouse sits on the aux port (IRQ 12,
/// reached with 0xD4): it answers its commands (reset, identify, enable/disable, rates) but never moves.
/// Key input (<see cref="PressKey"/>, <see cref="InjectScancodes"/>) may come from any thread; it is
/// queued and moved to the guest by <see cref="PumpInput"/> on the CPU thread.
/// </summary>
public sealed class I8042Controller : IPortDevice
{
    public const ushort DataPort = 0x60;
    public const ushort StatusPort = 0x64;
    public const int KeyboardIrq = 1;

    private const byte CmdKeyboardInterrupt = 0x01;
    private const byte CmdSystemFlag = 0x04;
    private const byte CmdKeyboardDisabled = 0x10;
    private const byte CmdAuxDisabled = 0x20;
    private const byte CmdTranslate = 0x40;

    private readonly ConcurrentQueue<byte> hostKeys = new();
    private readonly Queue<ushort> output = new(); // bit 8: the byte comes from the aux port
    private readonly IInterruptLine irq;
    private readonly IInterruptLine? auxIrq;
    private byte? pendingMouseCommand;
    private bool outputIsAux;
    private byte commandByte;
    private byte outputPort = 0x03; // A20 on, not in reset
    private byte? pendingControllerCommand;
    private byte? pendingKeyboardCommand;
    private bool outputFull;
    private byte outputByte;
    private bool lastWasCommand;
    private bool scanning = true;
    private bool breakPrefix;

    public const int MouseIrq = 12;

    public I8042Controller(IInterruptLine irq, IInterruptLine? auxIrq = null)
    {
        this.irq = irq;
        this.auxIrq = auxIrq;
        Reset();
    }

    /// <summary>The guest asked for a system reset (command 0xFE or output port bit 0 cleared).</summary>
    public event Action? ResetRequested;

    /// <summary>Host key input was queued (a halted machine should wake).</summary>
    public event Action? InputQueued;

    public byte CommandByte => commandByte;

    /// <summary>The keyboard's scancode set (1, 2 or 3).</summary>
    public int ScancodeSet { get; private set; } = 2;

    /// <summary>Keyboard LEDs from command 0xED (bit 0 scroll, 1 num, 2 caps lock).</summary>
    public byte Leds { get; private set; }

    /// <summary>IRQ 1 assertions.</summary>
    public long Interrupts { get; private set; }

    public void Register(PortSpace ports)
    {
        ports.Register(DataPort, 1, this);
        ports.Register(StatusPort, 1, this);
    }

    /// <summary>The controller as SeaBIOS leaves it: keyboard interrupt on, translation on, self-test passed.</summary>
    public void Reset()
    {
        commandByte = CmdKeyboardInterrupt | CmdSystemFlag | CmdTranslate;
        output.Clear();
        outputFull = false;
        pendingControllerCommand = null;
        pendingKeyboardCommand = null;
        pendingMouseCommand = null;
        scanning = true;
        ScancodeSet = 2;
        breakPrefix = false;
        irq.Set(false);
        auxIrq?.Set(false);
    }

    /// <summary>A key press: <paramref name="set2Code"/> is the set-2 make code, with 0xE0 in the high byte for extended keys.</summary>
    public void PressKey(ushort set2Code) => QueueKey(set2Code, release: false);

    /// <summary>A key release (F0 xx in set 2).</summary>
    public void ReleaseKey(ushort set2Code) => QueueKey(set2Code, release: true);

    /// <summary>Raw bytes as the keyboard sends them in set 2 (translated by the controller when the command byte says so). Thread-safe.</summary>
    public void InjectScancodes(ReadOnlySpan<byte> set2Bytes)
    {
        foreach (byte b in set2Bytes)
        {
            hostKeys.Enqueue(b);
        }

        InputQueued?.Invoke();
    }

    /// <summary>True when host key bytes wait to be delivered.</summary>
    public bool HasQueuedInput => !hostKeys.IsEmpty;

    /// <summary>Moves queued key bytes to the guest (call on the CPU thread).</summary>
    public void PumpInput()
    {
        while (hostKeys.TryDequeue(out byte b))
        {
            if (!scanning || (commandByte & CmdKeyboardDisabled) != 0)
            {
                continue;
            }

            FromKeyboard(b);
        }

        Refill();
    }

    public uint In(ushort port, int size)
    {
        if (port == StatusPort)
        {
            Refill();
            return (uint)((outputFull ? 0x01 : 0) | (commandByte & CmdSystemFlag) | (lastWasCommand ? 0x08 : 0) | 0x10 | (outputFull && outputIsAux ? 0x20 : 0));
        }

        byte value = outputByte;
        if (outputFull)
        {
            outputFull = false;
            (outputIsAux ? auxIrq : irq)?.Set(false);
        }

        PumpInput();
        return value;
    }

    public void Out(ushort port, int size, uint value)
    {
        byte b = (byte)value;
        if (port == StatusPort)
        {
            lastWasCommand = true;
            ControllerCommand(b);
            return;
        }

        lastWasCommand = false;
        if (pendingControllerCommand is byte cmd)
        {
            pendingControllerCommand = null;
            ControllerData(cmd, b);
            return;
        }

        KeyboardCommand(b);
    }

    private void ControllerCommand(byte cmd)
    {
        switch (cmd)
        {
            case 0x20:
                Reply(commandByte);
                break;
            case 0x60:
            case 0xD1:
            case 0xD2:
            case 0xD3:
            case 0xD4:
                pendingControllerCommand = cmd;
                break;
            case 0xA7:
                commandByte |= CmdAuxDisabled;
                break;
            case 0xA8:
                commandByte &= unchecked((byte)~CmdAuxDisabled);
                break;
            case 0xA9:
                Reply(0x00); // aux interface test passed
                break;
            case 0xAA:
                commandByte |= CmdSystemFlag;
                Reply(0x55);
                break;
            case 0xAB:
                Reply(0x00);
                break;
            case 0xAD:
                commandByte |= CmdKeyboardDisabled;
                break;
            case 0xAE:
                commandByte &= unchecked((byte)~CmdKeyboardDisabled);
                break;
            case 0xC0:
                Reply(0xBF); // input port: keyboard not inhibited
                break;
            case 0xD0:
                Reply(outputPort);
                break;
            default:
                if (cmd >= 0xF0 && (cmd & 1) == 0)
                {
                    // Pulse output port bits: bit 0 is the CPU reset line.
                    ResetRequested?.Invoke();
                }

                break;
        }
    }

    private void ControllerData(byte cmd, byte value)
    {
        switch (cmd)
        {
            case 0x60:
                commandByte = value;
                UpdateIrq();
                break;
            case 0xD1:
                outputPort = value;
                if ((value & 1) == 0)
                {
                    ResetRequested?.Invoke();
                }

                break;
            case 0xD2:
                Reply(value);
                break;
            case 0xD3:
                Reply(value, aux: true);
                break;
            default:
                MouseCommand(value);
                break;
        }
    }

    private void KeyboardCommand(byte b)
    {
        // Talking to the keyboard re-enables its port, as on real controllers.
        commandByte &= unchecked((byte)~CmdKeyboardDisabled);
        if (pendingKeyboardCommand is byte cmd)
        {
            pendingKeyboardCommand = null;
            switch (cmd)
            {
                case 0xED:
                    Leds = (byte)(b & 7);
                    Reply(0xFA);
                    return;
                case 0xF3:
                    Reply(0xFA);
                    return;
                case 0xF0:
                    Reply(0xFA);
                    if (b == 0)
                    {
                        Reply((byte)ScancodeSet);
                    }
                    else if (b <= 3)
                    {
                        ScancodeSet = b;
                    }

                    return;
            }
        }

        switch (b)
        {
            case 0xFF:
                scanning = true;
                ScancodeSet = 2;
                Leds = 0;
                output.Clear();
                Reply(0xFA);
                Reply(0xAA);
                break;
            case 0xF4:
                scanning = true;
                Reply(0xFA);
                break;
            case 0xF5:
                scanning = false;
                Reply(0xFA);
                break;
            case 0xF6:
                scanning = true;
                ScancodeSet = 2;
                Reply(0xFA);
                break;
            case 0xED:
            case 0xF3:
            case 0xF0:
                pendingKeyboardCommand = b;
                Reply(0xFA);
                break;
            case 0xF2:
                Reply(0xFA);
                Reply(0xAB);
                Reply((commandByte & CmdTranslate) != 0 ? (byte)0x41 : (byte)0x83);
                break;
            case 0xEE:
                Reply(0xEE);
                break;
            default:
                Reply(0xFE); // resend: unknown command
                break;
        }
    }

    private void QueueKey(ushort set2Code, bool release)
    {
        Span<byte> bytes = stackalloc byte[3];
        int n = 0;
        if ((set2Code >> 8) == 0xE0)
        {
            bytes[n++] = 0xE0;
        }

        if (release)
        {
            bytes[n++] = 0xF0;
        }

        bytes[n++] = (byte)set2Code;
        InjectScancodes(bytes[..n]);
    }

    /// <summary>A byte from the keyboard: in set 1 mode the keyboard itself sends set 1; with translation on, the controller converts.</summary>
    private void FromKeyboard(byte b)
    {
        bool translate = (commandByte & CmdTranslate) != 0 || ScancodeSet == 1;
        if (!translate)
        {
            Reply(b);
            return;
        }

        if (b == 0xF0)
        {
            breakPrefix = true;
            return;
        }

        byte code = b is 0xE0 or 0xE1 ? b : ScancodeTranslation.ToSet1(b);
        if (breakPrefix && b is not (0xE0 or 0xE1))
        {
            code |= 0x80;
            breakPrefix = false;
        }

        Reply(code);
    }

    private void Reply(byte b, bool aux = false)
    {
        output.Enqueue((ushort)(b | (aux ? 0x100 : 0)));
        Refill();
    }

    /// <summary>A byte for the mouse (after 0xD4): a stream-mode PS/2 mouse that acknowledges and never moves.</summary>
    private void MouseCommand(byte b)
    {
        commandByte &= unchecked((byte)~CmdAuxDisabled);
        if (pendingMouseCommand is not null)
        {
            pendingMouseCommand = null;
            Reply(0xFA, aux: true); // the argument of 0xE8 / 0xF3
            return;
        }

        switch (b)
        {
            case 0xFF:
                Reply(0xFA, aux: true);
                Reply(0xAA, aux: true);
                Reply(0x00, aux: true);
                break;
            case 0xF2:
                Reply(0xFA, aux: true);
                Reply(0x00, aux: true); // standard PS/2 mouse
                break;
            case 0xE8:
            case 0xF3:
                pendingMouseCommand = b;
                Reply(0xFA, aux: true);
                break;
            case 0xE9:
                Reply(0xFA, aux: true);
                Reply(0x00, aux: true);
                Reply(0x02, aux: true);
                Reply(0x64, aux: true);
                break;
            case 0xEB:
                Reply(0xFA, aux: true);
                Reply(0x08, aux: true);
                Reply(0x00, aux: true);
                Reply(0x00, aux: true);
                break;
            case 0xE6:
            case 0xE7:
            case 0xEA:
            case 0xF0:
            case 0xF4:
            case 0xF5:
            case 0xF6:
                Reply(0xFA, aux: true);
                break;
            default:
                Reply(0xFE, aux: true);
                break;
        }
    }

    private void Refill()
    {
        if (!outputFull && output.Count > 0)
        {
            ushort next = output.Dequeue();
            outputByte = (byte)next;
            outputIsAux = (next & 0x100) != 0;
            outputFull = true;
            UpdateIrq();
        }
    }

    private void UpdateIrq()
    {
        if (outputFull && outputIsAux)
        {
            if ((commandByte & 0x02) != 0 && auxIrq is not null)
            {
                auxIrq.Set(true);
            }
        }
        else if (outputFull && (commandByte & CmdKeyboardInterrupt) != 0)
        {
            Interrupts++;
            irq.Set(true);
        }
    }
}

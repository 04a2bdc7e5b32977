using System.Collections.Concurrent;
using System.Text;
using Mmu.Interrupts;
using Mmu.Io;

namespace Devices.Serial;

/// <summary>
/// A 16550A UART (COM1 at 0x3F8, IRQ 4 on a PC). Transmission is instant: each THR write goes to the
/// <see cref="ISerialSink"/> and THR is empty again at once. Received bytes come from a host queue
/// (<see cref="EnqueueInput"/>, thread-safe) into the 16-byte receive FIFO as room allows. Interrupts
/// follow the 16550's priorities (line status, received data or character timeout, THR empty, modem
/// status). Like QEMU, MCR.OUT2 does not gate the IRQ output. With a FIFO below its trigger level, a
/// character-timeout interrupt is raised at once rather than after four character times.
/// </summary>
public sealed class Uart16550 : IPortDevice
{
    public const ushort Com1Port = 0x3F8;
    public const int Com1Irq = 4;

    private const byte LsrDataReady = 0x01;
    private const byte LsrOverrun = 0x02;
    private const byte LsrThrEmpty = 0x20;
    private const byte LsrTransmitterEmpty = 0x40;

    private readonly ConcurrentQueue<byte> hostInput = new();
    private readonly Queue<byte> rxFifo = new();
    private readonly List<byte> lineBuffer = [];
    private readonly IInterruptLine irq;
    private readonly ISerialSink sink;
    private byte ier;
    private byte lcr;
    private byte mcr;
    private byte lsr;
    private byte msr;
    private byte scr;
    private byte fcr;
    private ushort divisor;
    private bool thrInterruptPending;
    private bool lastIrqLevel;

    public Uart16550(IInterruptLine irq, ISerialSink sink)
    {
        this.irq = irq;
        this.sink = sink;
        Reset();
    }

    /// <summary>Raised with each complete line transmitted (without the line end).</summary>
    public event Action<string>? LineWritten;

    /// <summary>Raised when host input is queued (a halted machine should wake).</summary>
    public event Action? InputQueued;

    public ushort BasePort { get; private set; } = Com1Port;

    public long BytesTransmitted { get; private set; }

    public long BytesReceived { get; private set; }

    /// <summary>The baud-rate divisor (DLL/DLM): 115200 / divisor baud.</summary>
    public ushort Divisor => divisor;

    public bool FifoEnabled => (fcr & 1) != 0;

    public bool Loopback => (mcr & 0x10) != 0;

    /// <summary>True when host bytes wait to be received.</summary>
    public bool HasQueuedInput => !hostInput.IsEmpty;

    public void Register(PortSpace ports, ushort basePort = Com1Port)
    {
        BasePort = basePort;
        ports.Register(basePort, 8, this);
    }

    public void Reset()
    {
        ier = 0;
        lcr = 0;
        mcr = 0;
        lsr = LsrThrEmpty | LsrTransmitterEmpty;
        msr = 0xB0; // CTS, DSR, DCD asserted: a terminal is attached
        scr = 0;
        fcr = 0;
        divisor = 12; // 9600 baud
        rxFifo.Clear();
        thrInterruptPending = false;
        UpdateIrq();
    }

    /// <summary>Queues bytes from the host (terminal or file) for the guest to receive. Thread-safe.</summary>
    public void EnqueueInput(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            hostInput.Enqueue(b);
        }

        InputQueued?.Invoke();
    }

    /// <summary>Moves queued host bytes into the receive FIFO as room allows (call on the CPU thread).</summary>
    public void PumpInput()
    {
        if (Loopback)
        {
            return;
        }

        int room = (FifoEnabled ? 16 : 1) - rxFifo.Count;
        bool moved = false;
        while (room > 0 && hostInput.TryDequeue(out byte b))
        {
            rxFifo.Enqueue(b);
            BytesReceived++;
            room--;
            moved = true;
        }

        if (moved)
        {
            lsr |= LsrDataReady;
            UpdateIrq();
        }
    }

    public uint In(ushort port, int size)
    {
        int reg = port - BasePort;
        bool dlab = (lcr & 0x80) != 0;
        switch (reg)
        {
            case 0:
                if (dlab)
                {
                    return (byte)divisor;
                }

                return ReadRbr();
            case 1:
                return dlab ? (uint)(divisor >> 8) : ier;
            case 2:
                return ReadIir();
            case 3:
                return lcr;
            case 4:
                return mcr;
            case 5:
                PumpInput();
                byte value = lsr;
                lsr &= unchecked((byte)~(LsrOverrun | 0x1E));
                UpdateIrq();
                return value;
            case 6:
                return ReadMsr();
            default:
                return scr;
        }
    }

    public void Out(ushort port, int size, uint value)
    {
        int reg = port - BasePort;
        byte b = (byte)value;
        bool dlab = (lcr & 0x80) != 0;
        switch (reg)
        {
            case 0:
                if (dlab)
                {
                    divisor = (ushort)((divisor & 0xFF00) | b);
                }
                else
                {
                    Transmit(b);
                }

                break;
            case 1:
                if (dlab)
                {
                    divisor = (ushort)((divisor & 0x00FF) | (b << 8));
                }
                else
                {
                    bool enablingThr = (b & 0x02) != 0 && (ier & 0x02) == 0;
                    ier = (byte)(b & 0x0F);
                    if (enablingThr && (lsr & LsrThrEmpty) != 0)
                    {
                        // Enabling the THR-empty interrupt while THR is empty raises it (as 16550s do).
                        thrInterruptPending = true;
                    }

                    UpdateIrq();
                }

                break;
            case 2:
                WriteFcr(b);
                break;
            case 3:
                lcr = b;
                break;
            case 4:
                mcr = (byte)(b & 0x1F);
                UpdateIrq();
                break;
            case 5:
                // LSR is read-only (factory test only).
                break;
            case 6:
                break;
            default:
                scr = b;
                break;
        }
    }

    private byte ReadRbr()
    {
        PumpInput();
        byte value = 0;
        if (rxFifo.Count > 0)
        {
            value = rxFifo.Dequeue();
        }

        if (rxFifo.Count == 0)
        {
            lsr &= unchecked((byte)~LsrDataReady);
            PumpInput();
        }

        UpdateIrq();
        return value;
    }

    private byte ReadIir()
    {
        byte fifoBits = FifoEnabled ? (byte)0xC0 : (byte)0;
        int id = PendingInterruptId();
        if (id == 0x02)
        {
            // Reading IIR with THR empty as the source clears it (16550 datasheet).
            thrInterruptPending = false;
            UpdateIrq();
        }

        return (byte)(fifoBits | (id < 0 ? 0x01 : id));
    }

    private byte ReadMsr()
    {
        byte value;
        if (Loopback)
        {
            // Loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.
            value = (byte)((((mcr >> 1) & 1) << 4) | ((mcr & 1) << 5) | (((mcr >> 2) & 1) << 6) | (((mcr >> 3) & 1) << 7));
        }
        else
        {
            value = msr;
        }

        return value;
    }

    private void WriteFcr(byte b)
    {
        bool wasEnabled = FifoEnabled;
        fcr = (byte)(b & 0xC9);
        if ((b & 0x02) != 0 || wasEnabled != FifoEnabled)
        {
            rxFifo.Clear();
            lsr &= unchecked((byte)~LsrDataReady);
        }

        PumpInput();
        UpdateIrq();
    }

    private int RxTriggerLevel => (fcr >> 6) switch
    {
        0 => 1,
        1 => 4,
        2 => 8,
        _ => 14,
    };

    private void Transmit(byte b)
    {
        thrInterruptPending = false;
        if (Loopback)
        {
            if (rxFifo.Count < (FifoEnabled ? 16 : 1))
            {
                rxFifo.Enqueue(b);
                lsr |= LsrDataReady;
            }
            else
            {
                lsr |= LsrOverrun;
            }
        }
        else
        {
            BytesTransmitted++;
            sink.Write(b);
            CollectLine(b);
        }

        // The byte left at once: THR and the shift register are empty again.
        lsr |= LsrThrEmpty | LsrTransmitterEmpty;
        thrInterruptPending = true;
        UpdateIrq();
    }

    private void CollectLine(byte b)
    {
        if (b == (byte)'\n')
        {
            int n = lineBuffer.Count;
            if (n > 0 && lineBuffer[n - 1] == (byte)'\r')
            {
                n--;
            }

            string line = Encoding.UTF8.GetString([.. lineBuffer.GetRange(0, n)]);
            lineBuffer.Clear();
            LineWritten?.Invoke(line);
        }
        else if (lineBuffer.Count < 4096)
        {
            lineBuffer.Add(b);
        }
    }

    /// <summary>The IIR identification of the highest-priority pending interrupt, or -1.</summary>
    private int PendingInterruptId()
    {
        if ((ier & 0x04) != 0 && (lsr & (LsrOverrun | 0x1E)) != 0)
        {
            return 0x06;
        }

        if ((ier & 0x01) != 0 && rxFifo.Count > 0)
        {
            return !FifoEnabled || rxFifo.Count >= RxTriggerLevel ? 0x04 : 0x0C;
        }

        if ((ier & 0x02) != 0 && thrInterruptPending)
        {
            return 0x02;
        }

        if ((ier & 0x08) != 0 && (msr & 0x0F) != 0)
        {
            return 0x00;
        }

        return -1;
    }

    private void UpdateIrq()
    {
        bool level = PendingInterruptId() >= 0;
        if (level != lastIrqLevel)
        {
            lastIrqLevel = level;
            irq.Set(level);
        }
    }
}

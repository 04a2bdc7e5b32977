/* Interrupt controllers and time: the 8259s are masked, device IRQs go through the IOAPIC
 * (ISA IRQ n on pin n, fixed addresses of the PC), the LAPIC timer (calibrated against PIT
 * channel 2) drives the scheduler at HZ while a thread runs; idle stops it. Vectors: 0-31
 * exceptions, 32-55 IRQs, 0x38 timer. */
#include "kernel.h"

#define LAPIC ((volatile u32 *)P2V(0xFEE00000))
#define IOAPIC ((volatile u32 *)P2V(0xFEC00000))
#define IRQ_BASE 32
#define TIMER_VEC 0x38
#define SPURIOUS_VEC 0xFF

volatile u64 ticks;
static u64 tsc_per_ms;
static u64 tsc_boot;
static u32 bus_per_10ms;     /* LAPIC timer counts (bus/16) in 10 ms */
static bool tick_stopped;    /* idle: the periodic tick is off (see timer_idle) */

static void lapic_w(int reg, u32 v) { LAPIC[reg / 4] = v; }
static u32 lapic_r(int reg) { return LAPIC[reg / 4]; }
void lapic_eoi(void) { lapic_w(0xB0, 0); }

static void ioapic_w(u32 reg, u32 v) {
    IOAPIC[0] = reg;
    IOAPIC[4] = v;
}

void ioapic_mask(int irq, bool masked) {
    ioapic_w(0x10 + 2 * irq, (IRQ_BASE + irq) | (masked ? 1u << 16 : 0));
    ioapic_w(0x11 + 2 * irq, 0);   /* destination: LAPIC 0 */
}

static void pic_disable(void) {
    static const u8 seq[] = { 0x11, 0xE0, 4, 1 }, seq2[] = { 0x11, 0xE8, 2, 1 };
    for (int i = 0; i < 4; i++) {
        outb(i ? 0x21 : 0x20, seq[i]);
        outb(i ? 0xA1 : 0xA0, seq2[i]);
    }
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

/* Runs PIT channel 2 for 10 ms (one-shot, gate through port 0x61) and counts the LAPIC timer
 * and the TSC over it. */
static u32 calibrate(void) {
    lapic_w(0x3E0, 0x3);                 /* divide by 16 */
    lapic_w(0x320, 1u << 16);            /* masked, one-shot */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xB0);                    /* channel 2, lo/hi, mode 0 */
    u16 count = 11932;                   /* 1193182 Hz / 100 */
    outb(0x42, count & 0xFF);
    outb(0x42, count >> 8);
    outb(0x61, inb(0x61) & ~0x01);       /* restart the count: gate low, then high */
    outb(0x61, inb(0x61) | 0x01);
    lapic_w(0x380, 0xFFFFFFFF);
    u64 t0 = rdtsc();
    for (u32 spins = 0; !(inb(0x61) & 0x20); spins++)
        if (spins == 50000000) {
            kprintf("mica: PIT channel 2 never ran out: assuming a 1 GHz bus and TSC\n");
            tsc_per_ms = 1000000;
            return 625000;
        }
    u32 elapsed = 0xFFFFFFFF - lapic_r(0x390);
    tsc_per_ms = (rdtsc() - t0) / 10;
    if (!tsc_per_ms)
        tsc_per_ms = 1;
    return elapsed;
}

void intr_init(void) {
    pic_disable();
    for (int i = 0; i < 24; i++)
        ioapic_mask(i, true);
    wrmsr(0x1B, rdmsr(0x1B) | (1 << 11));   /* APIC global enable */
    lapic_w(0xF0, 0x100 | SPURIOUS_VEC);
    lapic_w(0x80, 0);                       /* task priority: accept all */
    /* a host stall (QEMU or emu descheduled) inside one measurement shortens or lengthens its
     * window: measure five times and keep the median */
    u32 n[5];
    u64 t[5];
    for (int i = 0; i < 5; i++) {
        n[i] = calibrate(), t[i] = tsc_per_ms;
        for (int j = i; j > 0 && n[j] < n[j - 1]; j--) {
            u32 a = n[j]; n[j] = n[j - 1]; n[j - 1] = a;
            u64 b = t[j]; t[j] = t[j - 1]; t[j - 1] = b;
        }
    }
    bus_per_10ms = n[2];
    tsc_per_ms = t[2];
    tsc_boot = rdtsc();
    tick_stopped = true;
    timer_tick();
    kprintf("mica: LAPIC timer %u kHz (bus/16), TSC %lu kHz, tick %d Hz\n", bus_per_10ms / 10, tsc_per_ms, HZ);
}

/* The periodic scheduler tick, restarted when a thread runs after idle. */
void timer_tick(void) {
    if (!tick_stopped)
        return;
    tick_stopped = false;
    /* Stop the timer before the mode changes: QEMU restarts a periodic timer from the initial count it
     * holds (1 after a short one-shot: a 32 ns period, a storm that stalls QEMU), where hardware waits
     * for the next write of the count (SDM vol. 3, 11.5.4). */
    lapic_w(0x380, 0);
    lapic_w(0x320, TIMER_VEC | (1u << 17)); /* periodic */
    lapic_w(0x380, bus_per_10ms / (HZ / 100));
}

/* Idle without a tick (as a tickless kernel does): one interrupt at the first sleeper's deadline
 * (0: none, the timer stops), so an idle machine is woken only by what it waits for. An initial
 * count of 0 stops the LAPIC timer (SDM vol. 3, 11.5.4). */
void timer_idle(u64 deadline_ns) {
    tick_stopped = true;
    if (!deadline_ns) {
        lapic_w(0x380, 0);
        return;
    }
    u64 now = clock_ns(), ns = deadline_ns > now ? deadline_ns - now : 0;
    if (ns > 10000000000ul)
        ns = 10000000000ul;                 /* at most 10 s a shot: no overflow below */
    u64 count = ns * bus_per_10ms / 10000000 + 1;
    lapic_w(0x320, TIMER_VEC);              /* one-shot */
    lapic_w(0x380, count > 0xFFFFFFFFul ? 0xFFFFFFFFu : (u32)count);
}

u64 clock_ns(void) {
    u64 d = rdtsc() - tsc_boot;
    return d / tsc_per_ms * 1000000 + d % tsc_per_ms * 1000000 / tsc_per_ms;
}

void isr_dispatch(struct frame *f) {
    u64 v = f->vec;
    if (v < 32) {
        exception(f);
    } else if (v == TIMER_VEC) {
        ticks++;
        lapic_eoi();
        sched_tick();
    } else if (v >= IRQ_BASE && v < IRQ_BASE + 24) {
        ioapic_mask(v - IRQ_BASE, true);    /* until the driver acknowledges */
        lapic_eoi();
        irq_fire(v - IRQ_BASE);
        preempt_check();
    }
    /* the 8259's spurious vectors and the LAPIC's need no EOI */
}

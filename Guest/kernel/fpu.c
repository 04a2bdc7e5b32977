/* The x87/SSE register state of user threads. The kernel itself is built with -mgeneral-regs-only
 * and never touches these registers, so they belong to whichever user thread last used them (the
 * owner). Switching is lazy (SDM Vol. 3A, 13.4): a switch to any other thread sets CR0.TS, and that
 * thread's first x87/SSE instruction raises #NM, whose handler saves the owner's registers with
 * FXSAVE, loads the new thread's with FXRSTOR and clears TS. Most of Mica's processes (drivers,
 * servers) never use them, so most switches cost no save, no restore and no CR0 write.
 * docs/PERFORMANCE.md compares this with saving eagerly on every switch. */
#include "kernel.h"

#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CPUID1_EDX_FXSR (1u << 24)

static struct thread *owner;   /* whose registers the FPU holds; NULL: nobody's */
static bool ts;                /* CR0.TS as last written */

static u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v)); }

static void set_ts(bool on) {
    if (on != ts) {
        write_cr0(on ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
        ts = on;
    }
}

/* SSE needs CR4.OSFXSR (else #UD), unmasked SIMD exceptions raise #XM with CR4.OSXMMEXCPT (else #UD),
 * and unmasked x87 exceptions raise #MF with CR0.NE; MP makes WAIT honour TS too. */
void fpu_init(void) {
    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_FXSR))
        panic("the CPU has no FXSAVE/FXRSTOR");
    write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_NE | CR0_TS);
    ts = true;
    u64 cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT));
}

/* A new thread starts with the state FNINIT and a reset MXCSR give (SDM Vol. 1, 8.1.1 and 10.2.3):
 * the FXSAVE image with FCW 037FH, MXCSR 1F80H and everything else zero. */
void fpu_thread_init(struct thread *t) {
    if (owner == t)
        owner = NULL;   /* the slot's previous thread's registers must not leak to this one */
    memset(t->fpu, 0, sizeof t->fpu);
    t->fpu[0] = 0x7F;
    t->fpu[1] = 0x03;
    t->fpu[24] = 0x80;
    t->fpu[25] = 0x1F;
}

/* On every switch: only the owner runs with TS clear. */
void fpu_switch(struct thread *next) { set_ts(next != owner); }

/* #NM: the current thread wants the registers. From the kernel it is a bug. */
void fpu_trap(struct frame *f) {
    if ((f->cs & 3) == 0)
        panic("#NM in the kernel at %p", f->rip);
    set_ts(false);
    if (owner)
        __asm__ volatile("fxsave64 %0" : "=m"(owner->fpu));
    __asm__ volatile("fxrstor64 %0" ::"m"(cur->fpu));
    owner = cur;
}

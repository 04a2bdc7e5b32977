/* CPU exceptions: a fault in user mode kills that process alone; in the kernel it panics. */
#include "kernel.h"

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound",
    "#UD invalid opcode", "#NM no FPU", "#DF double fault", "coproc", "#TS invalid TSS",
    "#NP not present", "#SS stack fault", "#GP general protection", "#PF page fault", "15",
    "#MF x87", "#AC alignment", "#MC machine check", "#XM SIMD", "#VE", "#CP",
};

static void dump(struct frame *f) {
    kprintf("  rip %p cs %x rflags %x rsp %p err %x cr2 %p\n", f->rip, (u32)f->cs, (u32)f->rflags, f->rsp,
            (u32)f->err, read_cr2());
    kprintf("  rax %p rbx %p rcx %p rdx %p\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi %p rdi %p rbp %p r8  %p\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9  %p r10 %p r11 %p r12 %p\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13 %p r14 %p r15 %p cr3 %p\n", f->r13, f->r14, f->r15, read_cr3());
}

_Noreturn void panic(const char *fmt, ...) {
    __asm__ volatile("cli");
    va_list ap;
    va_start(ap, fmt);
    kprintf("\nmica: PANIC: ");
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    outb(0xF4, 0x7F);     /* isa-debug-exit, if present: a failed run */
    for (;;)
        __asm__ volatile("hlt");
}

void exception(struct frame *f) {
    const char *name = names[f->vec] ? names[f->vec] : "exception";
    if ((f->cs & 3) == 0 && f->vec == 14 && f->rip == (u64)copy_user_insn) {
        f->rip = (u64)copy_user_fault;   /* a bad user buffer: the system call fails */
        return;
    }
    if (f->vec == 7) {
        fpu_trap(f);   /* #NM: lazy FPU switching, not a fault */
        return;
    }
    if ((f->cs & 3) == 0) {
        kprintf("\nmica: kernel fault %s (vector %d) in thread %d\n", name, (int)f->vec, cur ? cur->tid : -1);
        dump(f);
        panic("kernel fault");
    }
    struct proc *p = cur->proc;
    kprintf("[kernel] %s (pid %d) killed: %s at rip %lx addr %lx err %x cs %x\n", p->name, p->pid, name, f->rip,
            f->vec == 14 ? read_cr2() : 0, (u32)f->err, (u32)f->cs);
    proc_exit(p, KILLED | (int)f->vec);
}

/* Support library for the bare-metal test kernels: serial output, printing, descriptor tables,
 * paging, port I/O, exceptions and the debug-exit. Every kernel is a multiboot1 image: lib/boot.S
 * enters long mode with the GDT below and the first 4 GiB identity-mapped with 2 MiB pages, then
 * calls main(). */
#ifndef TEST_H
#define TEST_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

/* GDT selectors (lib/boot.S). SYSCALL/SYSRET need kernel code, kernel data in a row and
 * user code32, user data, user code64 in a row (SDM Vol. 2B, SYSCALL and SYSRET). */
#define SEL_KCODE64 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE32 0x18
#define SEL_UCODE32 0x20
#define SEL_UDATA 0x28
#define SEL_UCODE64 0x30
#define SEL_TSS 0x38

#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define MSR_APIC_BASE 0x1B
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Arithmetic flags, and the masks of the flags each instruction family defines (SDM Vol. 1, 3.4.3
 * and the flags-affected section of each instruction): printing undefined flags would make the
 * transcript depend on the implementation. */
#define FL_CF 0x001
#define FL_PF 0x004
#define FL_AF 0x010
#define FL_ZF 0x040
#define FL_SF 0x080
#define FL_OF 0x800
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_LOGIC (FL_CF | FL_PF | FL_ZF | FL_SF | FL_OF)

/* port I/O and privileged registers */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* CMOS RAM and RTC registers: index at 0x70 (NMI left enabled), data at 0x71 */
static inline uint8_t cmos_read(uint8_t index) { outb(0x70, index); return inb(0x71); }
static inline void cmos_write(uint8_t index, uint8_t v) { outb(0x70, index); outb(0x71, v); }
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline uint64_t read_cr8(void) { uint64_t v; __asm__ volatile("mov %%cr8, %0" : "=r"(v)); return v; }
static inline void write_cr8(uint64_t v) { __asm__ volatile("mov %0, %%cr8" : : "r"(v)); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t read_flags(void) { uint64_t f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* serial.c: polled COM1 */
void serial_putc(char c);
void serial_puts(const char *s);

/* print.c: printf subset: %s %c %d %u %x %p with '0' and width, 'l'/'ll' */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* result.c: checks and the final line. check() prints "name: value" and records a failure when
 * the value differs from the one the SDM (or the device's datasheet) requires. */
void check(const char *name, uint64_t got, uint64_t want);    /* prints hex */
void check_u(const char *name, uint64_t got, uint64_t want);  /* prints decimal */
void check_flags(const char *name, uint64_t flags, uint64_t mask, uint64_t want);
void fail(const char *reason);
void section(const char *title); /* prints "title:"; failures below it are reported as "title / name" */
void finish(void) __attribute__((noreturn));  /* "TEST <test_name>: PASS" or FAIL, then debug-exit */
extern const char test_name[];                   /* defined by each kernel */
int failed(void);
void debug_exit(uint32_t value) __attribute__((noreturn));

/* interrupts: isr.S and idt.c */
struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};
typedef void (*isr_fn)(struct frame *f);
void idt_set_handler(int vector, isr_fn fn);     /* an interrupt handler (returns with IRETQ) */
void idt_set_dpl(int vector, int dpl);            /* gate DPL, e.g. 3 for INT n from user mode */
extern uint64_t kernel_stack_top[];

/* fault probes: run fn; if an exception is taken, the handler records it and returns here. */
struct fault {
    int taken;
    uint64_t vector, error, cr2, rip, cs, ss, rsp;
    uint64_t frame_below_rsp0; /* TSS.RSP0 minus the address of the saved frame (stack switch) */
};
extern struct fault last_fault;
int probe(void (*fn)(void));
/* run fn at CPL 3 (IRETQ into user code64 with its own stack); fn leaves with INT 0x80 or faults */
int probe_user(void (*fn)(void), uint64_t user_rsp);
#define VEC_USER_EXIT 0x80

/* jump buffer (isr.S) */
typedef uint64_t jmp_buf_t[8];
int save_context(jmp_buf_t b) __attribute__((returns_twice));
void restore_context(jmp_buf_t b, int v) __attribute__((noreturn));

/* pic.c: the 8259 pair, remapped to vectors 0x20-0x2F, all masked */
#define PIC_VECTOR 0x20
void pic_init(void);
void pic_unmask(int irq);
void pic_mask(int irq);
void pic_eoi(int irq);

/* paging.c: the boot page tables and a pool of page-table pages */
extern uint64_t boot_pml4[];
uint64_t *pt_alloc(void);                          /* a zeroed 4 KiB table */
uint64_t *pte_for(uint64_t *pml4, uint64_t va, int level, int create); /* level 1=PTE 2=PDE 3=PDPTE */
void map_4k(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags);
void map_2m(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags);
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

int main(void);
#endif

/* wait.c: spin with interrupts enabled until *count reaches n or a bounded number of iterations
 * passes (never an unbounded HLT: a missing interrupt must end in FAIL, not a hang). Returns 1 when
 * reached. The iteration bound is generous and never printed. */
int wait_count(volatile uint32_t *count, uint32_t n);
/* spin until (inb(port) & mask) == want, bounded; returns 1 when reached */
int wait_port(uint16_t port, uint8_t mask, uint8_t want);
/* a short fixed busy wait, and the same with IF=1 so that whatever is pending is taken */
void spin(void);
void spin_with_interrupts(void);

/* apic.c: local APIC (xAPIC MMIO) and IOAPIC */
#define LAPIC 0xFEE00000ull
#define IOAPIC 0xFEC00000ull
#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_ISR 0x100
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
static inline uint32_t lapic_read(uint32_t reg) { return mmio_read32(LAPIC + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(LAPIC + reg, v); }
void lapic_enable(void);   /* SVR: software enable, spurious vector 0xFF */
static inline void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);

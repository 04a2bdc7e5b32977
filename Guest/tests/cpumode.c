/* cpumode: 32-bit protected mode, the switch to long mode, 64-bit integer work, a round trip through
 * compatibility mode, exceptions through the IDT, IRETQ and SYSCALL/SYSRET to CPL 3, and the
 * privilege checks at CPL 3. Flags are printed masked to the bits each instruction defines. */
#include "test.h"

const char test_name[] = "cpumode";

struct rec32 {
    uint32_t value, flags;
};
extern struct rec32 r32[];
extern uint32_t r32_n;
extern uint32_t compat_cs, compat_push_size, compat_inc, back_cs;
extern uint32_t u_cs_iret, u_ss_iret, u_rax_sysret, u_cs_sysret, u_ss_sysret, k_cs, k_ss;
extern uint64_t u_flags_sysret, k_rcx, k_r11, k_rflags;
uint32_t compat_round_trip(void);
extern char at_int3[], at_ud[], at_de[], at_gp_noncanonical[], at_gp_selector[], at_syscall[];
extern char at_user_hlt[], at_user_in[], at_user_mov_cr[];
void fault_int3(void), fault_ud(void), fault_de(void), fault_gp_noncanonical(void), fault_gp_selector(void);
void user_syscall(void), user_hlt(void), user_in(void), user_mov_cr(void), user_int81(void), syscall_entry(void);
extern char at_user_int81[];

static uint8_t user_stack[4096] __attribute__((aligned(16)));
#define USER_RSP ((uint64_t)(user_stack + sizeof user_stack))

/* what boot32_hook recorded, in order: name, expected value, flag mask, expected flags */
static const struct {
    const char *name;
    uint32_t value, mask, flags;
} expect32[] = {
    {"pm32 cr0.pe|pg", 0x00000001, 0, 0},
    {"pm32 lsl data", 0xFFFFFFFF, FL_ZF, FL_ZF},
    /* LAR: bits 19:16 are undefined (SDM Vol. 2A, LAR); the accessed bit is set by the load */
    {"pm32 lar data", 0x00C09300, FL_ZF, FL_ZF},
    {"pm32 add 7fffffff+1", 0x80000000, FL_ARITH, FL_OF | FL_SF | FL_AF | FL_PF},
    {"pm32 sub 0-1", 0xFFFFFFFF, FL_ARITH, FL_CF | FL_SF | FL_AF | FL_PF},
    {"pm32 mul eax", 0x242D2080, FL_CF | FL_OF, FL_CF | FL_OF},
    {"pm32 mul edx", 0x0B00EA4E, FL_CF | FL_OF, FL_CF | FL_OF},
    {"pm32 div quotient", 0x24924925, 0, 0},
    {"pm32 div remainder", 2, 0, 0},
    {"pm32 imul -3*7", 0xFFFFFFEB, FL_CF | FL_OF, 0},
    {"pm32 shl 4", 0x76543210, FL_CF | FL_PF | FL_ZF | FL_SF, 0},
    {"pm32 rcl 1", 0x00000001, FL_CF | FL_OF, FL_CF | FL_OF},
    {"pm32 adc", 0x00000000, FL_ARITH, FL_CF | FL_ZF | FL_PF | FL_AF},
    {"pm32 bsr", 16, FL_ZF, 0},
    {"pm32 bswap", 0x44332211, 0, 0},
    {"pm32 and", 0, FL_LOGIC, FL_ZF | FL_PF},
    {"pm32 rep stosb edi delta", 5, 0, 0},
    {"pm32 stosb bytes", 0xABABABAB, 0, 0},
    {"pm32 ud2: vector", 6, 0, 0},
    {"pm32 ud2: error", 0, 0, 0},
    {"pm32 ud2: eip - label", 0, 0, 0},
    {"pm32 div by zero: vector", 0, 0, 0},
    {"pm32 div by zero: error", 0, 0, 0},
    {"pm32 div by zero: eip - label", 0, 0, 0},
    {"pm32 int3: vector", 3, 0, 0},
    {"pm32 int3: error", 0, 0, 0},
    {"pm32 int3: eip - label", 1, 0, 0},
    {"pm32 selector beyond gdt: vector", 13, 0, 0},
    {"pm32 selector beyond gdt: error", 0x98, 0, 0},
    {"pm32 selector beyond gdt: eip - label", 0, 0, 0},
    {"pm32 int beyond idt limit: vector", 13, 0, 0},
    {"pm32 int beyond idt limit: error", 0x81 * 8 + 2, 0, 0},
    {"pm32 int beyond idt limit: eip - label", 0, 0, 0},
};

static void check32(void) {
    check_u("pm32 records", r32_n, sizeof expect32 / sizeof expect32[0]);
    for (uint32_t i = 0; i < r32_n && i < sizeof expect32 / sizeof expect32[0]; i++) {
        uint32_t v = r32[i].value;
        if (i == 2) {
            v &= 0x00F0FF00;
        }
        check(expect32[i].name, v, expect32[i].value);
        if (expect32[i].mask) {
            kprintf("  ");
            check_flags("flags", r32[i].flags, expect32[i].mask, expect32[i].flags);
        }
    }
}

static void check_long_mode(void) {
    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    check_u("cpuid ext leaf 80000001 present", r[0] >= 0x80000001, 1);
    cpuid(0x80000001, 0, r);
    check_u("cpuid lm", (r[3] >> 29) & 1, 1);
    check_u("cpuid nx", (r[3] >> 20) & 1, 1);
    check_u("cpuid syscall", (r[3] >> 11) & 1, 1);
    cpuid(1, 0, r);
    check_u("cpuid pae", (r[3] >> 6) & 1, 1);
    check_u("efer.lme", (rdmsr(MSR_EFER) >> 8) & 1, 1);
    check_u("efer.lma", (rdmsr(MSR_EFER) >> 10) & 1, 1);
    check_u("cr0.pg", read_cr0() >> 31, 1);
    check_u("cr4.pae", (read_cr4() >> 5) & 1, 1);
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    check("cs", cs, SEL_KCODE64);
}

#define OP2(insn, a, b, fl)                                                                        \
    ({                                                                                             \
        uint64_t _r = (a), _f;                                                                     \
        __asm__ volatile(insn "\n\tpushfq\n\tpopq %1" : "+r"(_r), "=r"(_f) : "r"((uint64_t)(b)) : "cc"); \
        fl = _f;                                                                                   \
        _r;                                                                                        \
    })
#define SHIFT(insn, a, count, fl)                                                                  \
    ({                                                                                             \
        uint64_t _r = (a), _f;                                                                     \
        __asm__ volatile(insn "\n\tpushfq\n\tpopq %1" : "+r"(_r), "=r"(_f) : "c"((uint64_t)(count)) : "cc"); \
        fl = _f;                                                                                   \
        _r;                                                                                        \
    })

static void check64(void) {
    uint64_t fl, r, hi, lo;
    r = OP2("add %2, %0", 0x7FFFFFFFFFFFFFFFull, 1, fl);
    check("lm64 add", r, 0x8000000000000000ull);
    check_flags("  flags", fl, FL_ARITH, FL_OF | FL_SF | FL_AF | FL_PF);
    r = OP2("sub %2, %0", 5, 7, fl);
    check("lm64 sub 5-7", r, 0xFFFFFFFFFFFFFFFEull);
    check_flags("  flags", fl, FL_ARITH, FL_CF | FL_AF | FL_SF);
    r = OP2("add $0, %k0", ~0ull, 0, fl); /* a 32-bit result zero-extends into the 64-bit register */
    check("lm64 32-bit op zero-extends", r, 0xFFFFFFFFull);

    __asm__ volatile("mulq %3\n\tpushfq\n\tpopq %2" : "=a"(lo), "=d"(hi), "=r"(fl) : "r"(~0ull), "a"(~0ull) : "cc");
    check("lm64 mul rdx", hi, 0xFFFFFFFFFFFFFFFEull);
    check("lm64 mul rax", lo, 1);
    check_flags("  flags", fl, FL_CF | FL_OF, FL_CF | FL_OF);
    __asm__ volatile("imulq %3\n\tpushfq\n\tpopq %2" : "=a"(lo), "=d"(hi), "=r"(fl) : "r"(3ull), "a"((uint64_t)-5) : "cc");
    check("lm64 imul rdx", hi, ~0ull);
    check("lm64 imul rax", lo, (uint64_t)-15);
    check_flags("  flags", fl, FL_CF | FL_OF, 0);
    __asm__ volatile("divq %2" : "=a"(lo), "=d"(hi) : "r"(0x100ull), "a"(0ull), "d"(1ull) : "cc");
    check("lm64 div quotient", lo, 0x0100000000000000ull);
    check("lm64 div remainder", hi, 0);
    __asm__ volatile("cqo\n\tidivq %2" : "=a"(lo), "=d"(hi) : "r"(7ull), "a"((uint64_t)-100) : "cc");
    check("lm64 idiv quotient", lo, (uint64_t)-14);
    check("lm64 idiv remainder", hi, (uint64_t)-2);

    r = SHIFT("shl %%cl, %0", 0x8000000000000001ull, 65, fl); /* count masked to 1 */
    check("lm64 shl 65", r, 2);
    check_flags("  flags", fl, FL_CF | FL_PF | FL_ZF | FL_SF | FL_OF, FL_CF | FL_OF);
    r = SHIFT("stc\n\tshl %%cl, %0", 0x1234, 64, fl); /* count masked to 0: flags unchanged */
    check("lm64 shl 64", r, 0x1234);
    check_flags("  flags", fl, FL_CF, FL_CF);
    r = SHIFT("sar %%cl, %0", 0x8000000000000000ull, 63, fl);
    check("lm64 sar 63", r, ~0ull);
    check_flags("  flags", fl, FL_CF | FL_PF | FL_ZF | FL_SF, FL_PF | FL_SF);
    r = SHIFT("rol %%cl, %0", 0x8000000000000001ull, 4, fl);
    check("lm64 rol 4", r, 0x18);
    check_flags("  flags", fl, FL_CF, 0);
    r = OP2("bsf %2, %0", 0, 0x0000010000000000ull, fl);
    check_u("lm64 bsf", r, 40);
    check_flags("  flags", fl, FL_ZF, 0);
    r = OP2("bswap %0", 0x0102030405060708ull, 0, fl);
    check("lm64 bswap", r, 0x0807060504030201ull);

    uint64_t a = 10, b = 32;
    __asm__ volatile("xadd %0, %1" : "+r"(a), "+r"(b) : : "cc");
    check_u("lm64 xadd sum", b, 42);
    check_u("lm64 xadd old", a, 32);
    uint64_t mem = 5, acc = 5;
    __asm__ volatile("lock cmpxchgq %3, %1\n\tpushfq\n\tpopq %2" : "+a"(acc), "+m"(mem), "=r"(fl) : "r"(9ull) : "cc");
    check_u("lm64 cmpxchg equal: memory", mem, 9);
    check_flags("  flags", fl, FL_ZF, FL_ZF);
    acc = 5;
    __asm__ volatile("lock cmpxchgq %3, %1\n\tpushfq\n\tpopq %2" : "+a"(acc), "+m"(mem), "=r"(fl) : "r"(1ull) : "cc");
    check_u("lm64 cmpxchg unequal: rax", acc, 9);
    check_flags("  flags", fl, FL_ZF, 0);
    __asm__ volatile("movslq %k1, %0" : "=r"(r) : "r"(0xFFFFFFFFull));
    check("lm64 movsxd", r, ~0ull);
    r = OP2("cmp $5, %2\n\tmov $0, %0\n\tsetl %b0", 0, 3, fl);
    check_u("lm64 setl 3<5", r, 1);
    r = OP2("lea 0x10(%0,%2,8), %0", 0x1000, 3, fl);
    check("lm64 lea", r, 0x1028);
}

static void check_compat(void) {
    compat_round_trip();
    check("compat cs", compat_cs & 0xFFFF, SEL_KCODE32);
    check_u("compat push size", compat_push_size, 4);
    check_u("compat 0x40 is inc eax", compat_inc, 6);
    check("back in 64-bit cs", back_cs & 0xFFFF, SEL_KCODE64);
}

static void check_fault(const char *what, void (*fn)(void), const char *label, uint64_t vector, uint64_t error) {
    int taken = probe(fn);
    section(what);
    check_u("  taken", taken, 1);
    check_u("  vector", last_fault.vector, vector);
    check("  error", last_fault.error, error);
    check("  rip - label", last_fault.rip - (uint64_t)label, vector == 3 ? 1 : 0);
    check("  cs", last_fault.cs, SEL_KCODE64);
}

/* a #GP at CPL 3: the frame holds the user's CS, SS and RSP, and it was pushed on the TSS.RSP0
 * stack: 22 quadwords below it (SS, RSP, RFLAGS, CS, RIP, error code, then isr.S's vector and 15
 * registers; RSP0 is 16-byte aligned, so no alignment padding) */
static void check_user(const char *what, void (*fn)(void), const char *label, uint64_t error, uint64_t error_mask) {
    probe_user(fn, USER_RSP);
    section(what);
    check_u("  vector", last_fault.vector, 13);
    if (error_mask != ~0ull) {
        check("  error (EXT IDT TI bits)", last_fault.error & error_mask, error & error_mask);
    } else {
        check("  error", last_fault.error, error);
    }
    check("  rip - label", last_fault.rip - (uint64_t)label, 0);
    check("  cs", last_fault.cs, SEL_UCODE64 | 3);
    check("  ss", last_fault.ss, SEL_UDATA | 3);
    check("  user stack top - rsp", USER_RSP - last_fault.rsp, 0);
    check_u("  frame bytes below tss.rsp0", last_fault.frame_below_rsp0, 22 * 8);
}

int main(void) {
    check32();
    check_long_mode();
    check64();
    check_compat();
    check_fault("int3", fault_int3, at_int3, 3, 0);
    check_fault("ud2", fault_ud, at_ud, 6, 0);
    check_fault("div by zero", fault_de, at_de, 0, 0);
    check_fault("non-canonical load", fault_gp_noncanonical, at_gp_noncanonical, 13, 0);
    check_fault("selector beyond gdt", fault_gp_selector, at_gp_selector, 13, 0x98);

    /* SYSCALL/SYSRET (SDM Vol. 2B): kernel CS from STAR[47:32], user CS from STAR[63:48] + 16 */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE64 << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x47700 | FL_CF);
    probe_user(user_syscall, USER_RSP);
    check("iretq to cpl3: cs", u_cs_iret & 0xFFFF, SEL_UCODE64 | 3);
    check("iretq to cpl3: ss", u_ss_iret & 0xFFFF, SEL_UDATA | 3);
    check("syscall: cs", k_cs & 0xFFFF, SEL_KCODE64);
    check("syscall: ss", k_ss & 0xFFFF, SEL_KDATA);
    check("syscall: rcx - label", k_rcx - (uint64_t)at_syscall, 2);
    check("syscall: r11", k_r11, 0x447);
    /* Only the system flags are compared: QEMU 7.2 TCG clears the arithmetic flags on SYSCALL,
     * where the SDM says RFLAGS <- RFLAGS AND NOT(IA32_FMASK) (here ZF and PF would survive). */
    check("syscall: rflags in kernel (system bits)", k_rflags & 0x3F700, 0);
    check("sysret: rax", u_rax_sysret, 42);
    check("sysret: cs", u_cs_sysret & 0xFFFF, SEL_UCODE64 | 3);
    check("sysret: ss", u_ss_sysret & 0xFFFF, SEL_UDATA | 3);
    check("sysret: rflags", u_flags_sysret & 0xFFF, 0x447);
    check_u("int 0x80 from cpl3: vector", last_fault.vector, VEC_USER_EXIT);
    check("int 0x80 from cpl3: cs", last_fault.cs, SEL_UCODE64 | 3);

    check_user("hlt at cpl3", user_hlt, at_user_hlt, 0, ~0ull);
    check_user("in at cpl3", user_in, at_user_in, 0, ~0ull);
    check_user("mov from cr0 at cpl3", user_mov_cr, at_user_mov_cr, 0, ~0ull);
    /* The error code's index field holds the vector (SDM Vol. 3A, 6.13): 0x81 * 8 + 2. QEMU 7.2
     * puts the IDT byte offset of a 16-byte gate there (0x81 * 16 + 2), so only EXT/IDT/TI are
     * compared. */
    check_user("int 0x81 (gate dpl 0) at cpl3", user_int81, at_user_int81, 0x81 * 8 + 2, 7);
    finish();
}

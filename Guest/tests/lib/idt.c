/* The 64-bit IDT (all 256 vectors through isr.S), the TSS with the CPL 0 stack, the dispatcher and
 * fault probes. An exception nobody expects prints vector, error code, CR2 and RIP and fails. */
#include "test.h"

struct gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};

struct tss {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3, iomap;
} __attribute__((packed));

extern char isr_stubs[];
extern uint64_t gdt[];
void serial_init(void);
void enter_user(uint64_t rip, uint64_t rsp) __attribute__((noreturn));

static struct gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t ring0_stack[16384] __attribute__((aligned(16)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static isr_fn handlers[256];
static jmp_buf_t probe_jb;
static volatile int probe_armed;
struct fault last_fault;

static void set_gate(int v, int dpl) {
    uint64_t a = (uint64_t)(isr_stubs + 16 * v);
    idt[v] = (struct gate){
        .off0 = (uint16_t)a, .sel = SEL_KCODE64, .ist = v == 8 ? 1 : 0,
        .type = (uint8_t)(0x8E | (dpl << 5)), /* present 64-bit interrupt gate */
        .off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32),
    };
}

void idt_set_dpl(int v, int dpl) { set_gate(v, dpl); }
void idt_set_handler(int v, isr_fn fn) { handlers[v] = fn; }

void lib_init(void) {
    serial_init();
    for (int v = 0; v < 256; v++) {
        set_gate(v, 0);
    }
    set_gate(VEC_USER_EXIT, 3);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));

    tss.rsp[0] = (uint64_t)(ring0_stack + sizeof ring0_stack);
    tss.ist[0] = (uint64_t)(df_stack + sizeof df_stack);
    tss.iomap = sizeof tss;
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[SEL_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                       (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

void isr_dispatch(struct frame *f) {
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    if (probe_armed) {
        probe_armed = 0;
        last_fault = (struct fault){
            .taken = 1, .vector = f->vector, .error = f->error, .cr2 = read_cr2(),
            .rip = f->rip, .cs = f->cs, .ss = f->ss, .rsp = f->rsp,
            .frame_below_rsp0 = tss.rsp[0] - (uint64_t)f,
        };
        restore_context(probe_jb, 1);
    }
    kprintf("unexpected interrupt: vector %lu error 0x%lx cr2 0x%lx rip 0x%lx cs 0x%lx\n", f->vector,
            f->error, read_cr2(), f->rip, f->cs);
    fail("unexpected interrupt");
    finish();
}

int probe(void (*fn)(void)) {
    last_fault = (struct fault){0};
    if (save_context(probe_jb) == 0) {
        probe_armed = 1;
        fn();
        probe_armed = 0;
        return 0;
    }
    return 1;
}

int probe_user(void (*fn)(void), uint64_t user_rsp) {
    last_fault = (struct fault){0};
    if (save_context(probe_jb) == 0) {
        probe_armed = 1;
        enter_user((uint64_t)fn, user_rsp);
    }
    return (int)last_fault.vector;
}

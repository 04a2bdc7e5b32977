/* Mica kernel: shared types and the interfaces between subsystems. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include "abi.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

#define KVMA 0xFFFFFFFF80000000ul     /* the kernel image (-mcmodel=kernel) */
#define PHYSMAP 0xFFFF800000000000ul  /* all of the first 4 GiB of physical memory */
#define P2V(p) ((void *)((u64)(p) + PHYSMAP))
#define KV2P(v) ((u64)(v) - KVMA)
#define PAGE 4096ul
#define USER_TOP 0x0000800000000000ul

#define PTE_P 1ul
#define PTE_W 2ul
#define PTE_U 4ul
#define PTE_PWT 8ul
#define PTE_PCD 16ul
#define PTE_PS 0x80ul
#define PTE_OWNED 0x200ul             /* software bit: the frame is ours to free */
#define PTE_DMA 0x400ul               /* software bit: a device may reach the frame (it goes back to the DMA pool) */
#define PTE_NX (1ul << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ul

#define MAX_THREADS 128
#define MAX_PROCS 64
#define MAX_FDS 16
#define NPRIO 4
#define SLICE_TICKS 10
#define HZ 1000

/* The register frame on a kernel stack, pushed by interrupt and syscall entry (entry.S). */
struct frame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vec, err, rip, cs, rflags, rsp, ss;
};

enum { T_FREE, T_READY, T_RUNNING, T_SLEEP, T_RECV, T_SEND, T_REPLY, T_WAIT, T_SUSPENDED, T_DEAD };

struct thread;
struct list { struct thread *head, *tail; };

struct thread {
    int tid, state, prio, slice;
    struct proc *proc;
    struct thread *next, *prev;   /* links in the one queue the thread is on */
    struct list *on;
    u64 ksp, kstack_top;
    u64 wake_at;
    struct list senders;          /* threads blocked calling us */
    int partner;                  /* the thread we await a reply from */
    int from;                     /* sender of the message received */
    long status;                  /* result handed over when woken */
    u64 notes;                    /* pending notification bits */
    long mr[4], out[4];           /* received words; words to send */
    u32 ilen, olen, icap;
    u64 ubuf;                     /* where a received payload goes */
    u8 ibuf[IPC_MAX], obuf[IPC_MAX];
    u8 fpu[512] __attribute__((aligned(16)));   /* FXSAVE image of the x87/SSE registers (fpu.c) */
};

struct proc {
    int pid, state, parent, status;
    char name[16];
    u64 *pml4;
    u64 cr3;                      /* PML4 | PCID; bit 63 (keep the PCID's TLB entries) once loaded */
    int nthreads;
    struct thread *main;
    struct { u32 base, n; } io[8];
    int nio;
    u32 irqs;
    struct { u64 base, len; } mem[8];
    int nmem;
    u32 dma_pages, dma_used;      /* DMA memory this process may hold, and holds, in pages */
    struct { int server; long handle; } fd[MAX_FDS];
    u64 heap_next, mmio_next, cpu_ticks, pages;
};
enum { P_FREE, P_LIVE, P_ZOMBIE };

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void wrmsr(u32 msr, u64 v) { __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32))); }
static inline u64 rdmsr(u32 msr) { u32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((u64)hi << 32) | lo; }
static inline u64 rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void invlpg(u64 va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }
static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d) {
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* klib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
void strlcpy(char *d, const char *s, size_t n);
/* console.c */
void console_init(void);
void kputc(char c);
void kvprintf(const char *fmt, va_list ap);
void kprintf(const char *fmt, ...);
/* panic.c */
_Noreturn void panic(const char *fmt, ...);
void exception(struct frame *f);
/* fpu.c */
void fpu_init(void);
void fpu_thread_init(struct thread *t);
void fpu_switch(struct thread *next);
void fpu_trap(struct frame *f);
/* gdt.c */
void gdt_init(void);
void tss_set_rsp0(u64 rsp0);
void tss_load_io(struct proc *p);
void tss_forget_io(struct proc *p);
extern struct cpu { u64 kstack_top, user_rsp; } cpu0;
/* intr.c */
void intr_init(void);
void lapic_eoi(void);
void ioapic_mask(int irq, bool masked);
u64 clock_ns(void);
void timer_tick(void);
void timer_idle(u64 deadline_ns);
void isr_dispatch(struct frame *f);
extern volatile u64 ticks;
/* pmm.c */
void pmm_init(u32 mbi_phys);
u64 frame_alloc(void);
void frame_free(u64 pa);
u64 dma_frame_alloc(void);
void dma_frame_free(u64 pa);
extern u64 frames_free, frames_total;
extern char cmdline[256];
extern u64 initfs_phys, initfs_size;
/* vmm.c */
extern bool have_nx, have_pcid;
void vmm_init(void);
u64 *as_create(void);
void as_destroy(u64 *pml4);
int map_page(u64 *pml4, u64 va, u64 pa, u64 flags);
u64 unmap_page(u64 *pml4, u64 va);
u64 *pte_find(u64 *pml4, u64 va);
bool user_ok(const void *p, u64 len, bool write);
void as_switch(struct proc *p);
void as_forget(struct proc *p);
/* sched.c */
extern struct thread *cur, idle_thread;
void sched_init(void);
void ready(struct thread *t);
void block(int state);
void schedule(void);
void sched_switch(struct thread *next);
void ipc_switch(struct thread *next);
void sched_tail(void);
void sched_tick(void);
void preempt_check(void);
void sleep_until(u64 ns);
void list_push(struct list *l, struct thread *t);
struct thread *list_pop(struct list *l);
void list_unlink(struct thread *t);
/* proc.c */
struct thread *thread_get(int tid);
struct thread *thread_slot(int i);
struct proc *proc_get(int pid);
extern struct proc procs[MAX_PROCS];
struct thread *thread_new(struct proc *p, u64 rip, u64 rsp, u64 arg);
struct proc *proc_spawn(const char *path, const char *arg, struct proc *parent);
void proc_exit(struct proc *p, int status);
void thread_exit(void);
long proc_wait(int pid, int *status, int flags);
/* ipc.c */
long ipc_call(struct thread *dest);
long ipc_recv(void);
long ipc_reply(int to, const void *src, u32 len, struct thread **woken);
void ipc_notify(struct thread *t, u64 bits);
void ipc_server_died(struct thread *t);
/* scheme.c */
long scheme_register(const char *name);
void scheme_forget(int tid);
long fs_call(int fd, long op, long count, void *ubuf, u32 slen, u32 cap);
long fs_open(const char *upath, long flags);
long fs_dup(int fd);
/* grant.c */
void grant_all(struct proc *p);
bool holds_io(struct proc *p, u32 base, u32 n);
long grant_io(int pid, u32 base, u32 n);
long grant_mem(int pid, u64 base, u64 len);
long grant_irq(int pid, int irq);
long map_phys(u64 base, u64 len);
long grant_dma(int pid, u32 pages);
long dma_map(u64 len, u64 *uphys);
long irq_bind(int irq, u64 bit);
long irq_ack(int irq);
void irq_fire(int irq);
void grants_release(struct proc *p);
/* syscall.c */
void syscall_init(void);
long syscall_ipc(struct frame *f);
long syscall_table(struct frame *f);
/* elf.c */
long elf_load(u64 *pml4, const u8 *image, u64 size, u64 *entry);
/* initfs.c */
const u8 *initfs_find(const char *name, u64 *size);
/* entry.S */
void switch_to(u64 *old_ksp, u64 new_ksp);
extern char isr_stubs[];
void syscall_entry(void);
long copy_user(void *dst, const void *src, u64 n);
extern char copy_user_insn[], copy_user_fault[];
static inline bool urange(u64 p, u64 n) { return p + n >= p && p + n <= USER_TOP; }
void thread_start(void);

/* The Mica user runtime: system calls, IPC, files on schemes, printf, strings, a heap. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include "abi.h"

long syscall6(long n, long a, long b, long c, long d, long e, long f);
#define sys0(n) syscall6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

_Noreturn void exit(int status);
static inline void yield(void) { sys0(SYS_YIELD); }
static inline void sleep_ms(long ms) { sys1(SYS_SLEEP, ms); }
static inline long clock_ns(void) { return sys0(SYS_CLOCK); }
static inline int getpid(void) { return sys1(SYS_GETPID, 0); }
static inline int gettid(void) { return sys1(SYS_GETPID, 1); }
static inline long spawn(const char *path, const char *arg, int flags) { return sys3(SYS_SPAWN, path, arg, flags); }
static inline long start(int pid) { return sys1(SYS_START, pid); }
static inline long wait(int pid, int *status, int flags) { return sys3(SYS_WAIT, pid, status, flags); }
static inline long kill(int pid) { return sys1(SYS_KILL, pid); }
static inline long set_prio(int pid, int prio) { return sys2(SYS_PRIO, pid, prio); }
static inline void *map(void *va, size_t len, int flags) { return (void *)sys3(SYS_MAP, va, len, flags); }
static inline long unmap(void *va, size_t len) { return sys2(SYS_UNMAP, va, len); }
static inline long notify(int tid, unsigned long bits) { return sys2(SYS_NOTIFY, tid, bits); }
static inline long open(const char *url) { return sys1(SYS_OPEN, url); }
static inline long open_flags(const char *url, long flags) { return sys2(SYS_OPEN, url, flags); }   /* OPEN_* */
static inline long read(int fd, void *buf, size_t n) { return sys3(SYS_READ, fd, buf, n); }
static inline long close(int fd) { return sys1(SYS_CLOSE, fd); }
static inline long dup(int fd) { return sys1(SYS_DUP, fd); }
static inline long fstat(int fd, struct mica_stat *st) { return sys2(SYS_FSTAT, fd, st); }
static inline long fsync(int fd) { return sys1(SYS_FSYNC, fd); }
static inline long seek(int fd, unsigned long offset) { return sys2(SYS_SEEK, fd, offset); }   /* absolute; returns it */
static inline long scheme_register(const char *name) { return sys1(SYS_SCHEME, name); }
static inline long grant_io(int pid, int base, int n) { return sys3(SYS_GRANT_IO, pid, base, n); }
static inline long grant_irq(int pid, int irq) { return sys2(SYS_GRANT_IRQ, pid, irq); }
static inline long grant_mem(int pid, unsigned long base, unsigned long len) { return sys3(SYS_GRANT_MEM, pid, base, len); }
static inline long grant_dma(int pid, unsigned pages) { return sys2(SYS_GRANT_DMA, pid, pages); }
/* len bytes of memory a device may reach; phys[i] receives page i's physical address. */
static inline void *dma_map(size_t len, uint64_t *phys) { return (void *)sys2(SYS_DMA_MAP, len, phys); }
long grant_apply(long pid, const char *word);   /* one init.rc grant word: io=, irq=, mem=, dma=, prio= */
static inline long irq_bind(int irq, unsigned long bit) { return sys2(SYS_IRQ_BIND, irq, bit); }
static inline long irq_ack(int irq) { return sys1(SYS_IRQ_ACK, irq); }
long write(int fd, const void *buf, size_t n);
/* Runs fn(arg) in a new thread of this process (16 KiB stack); returns its id. */
long thread_create(void (*fn)(void *), void *arg);

/* IPC: four words, a sender, and a payload buffer passed beside. */
struct msg { long w[4]; int from; };
long ipc_call(int to, struct msg *m, void *buf, unsigned slen, unsigned cap);
long ipc_recv(struct msg *m, void *buf, unsigned cap);
long ipc_reply(int to, struct msg *m, const void *buf, unsigned slen);
long ipc_reply_recv(int to, struct msg *m, void *buf, unsigned slen, unsigned cap);

/* stdio: fd of serial: once it exists, else the kernel log */
extern int stdout_fd;
bool stdio_open(void);
bool stdio_reopen(long ms);
extern bool console_mirror;   /* printf also writes to display: (the shell sets it) */
int printf(const char *fmt, ...);
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...);
void puts_raw(const char *s);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *s, const char *w);
unsigned long strtoul(const char *s, const char **end, int base);

void *malloc(size_t n);
void free(void *p);

/* Tests: the console contract and the supervisor (lib/testlib.c) */
_Noreturn void test_result(const char *name, bool ok, const char *why);
const char *cmdline_option(const char *name);   /* "kills=" -> what follows it on the command line */
long rs_command(const char *cmd, char *out, size_t cap);   /* rs:CMD; its text into out */
int rs_pid(const char *driver);
bool rs_kill_and_wait(const char *driver);   /* an injected crash; true once rs has it running again */

/* USTAR archives (the initfs) */
const char *tar_find(const char *tar, size_t size, const char *name, size_t *len);
const char *tar_next(const char *tar, size_t size, size_t *off, const char **name, size_t *len);

/* Benchmarks: the TSC (fenced), and instructions retired from fixed counter 0 when CPUID leaf 0xA
 * offers it (the kernel then enables RDPMC in user mode). */
static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline uint64_t pmc_instructions(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(1u << 30));
    return (uint64_t)hi << 32 | lo;
}
static inline bool pmc_available(void) {
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 0xA)
        return false;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xA), "c"(0));
    return (a & 0xFF) >= 2 && (d & 0x1F) >= 1;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

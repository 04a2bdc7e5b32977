/* System call and IPC wrappers. */
#include "mica.h"

long syscall6(long n, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "+a"(n), "+D"(a), "+S"(b), "+d"(c), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return n;
}

static long ipc(long nr, unsigned long a, struct msg *m, void *buf) {
    register long r10 __asm__("r10") = m->w[2];
    register long r8 __asm__("r8") = m->w[3];
    register void *r9 __asm__("r9") = buf;
    long rsi = m->w[0], rdx = m->w[1];
    __asm__ volatile("syscall"
                     : "+a"(nr), "+D"(a), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    m->from = (int)a;
    m->w[0] = rsi, m->w[1] = rdx, m->w[2] = r10, m->w[3] = r8;
    return nr;
}

static unsigned long ipc_arg(int tid, unsigned slen, unsigned cap) {
    return (unsigned)tid | (unsigned long)slen << 32 | (unsigned long)cap << 48;
}

long ipc_call(int to, struct msg *m, void *buf, unsigned slen, unsigned cap) {
    return ipc(SYS_CALL, ipc_arg(to, slen, cap), m, buf);
}

long ipc_recv(struct msg *m, void *buf, unsigned cap) { return ipc(SYS_RECV, ipc_arg(0, 0, cap), m, buf); }

long ipc_reply(int to, struct msg *m, const void *buf, unsigned slen) {
    struct msg copy = *m;
    return ipc(SYS_REPLY, ipc_arg(to, slen, 0), &copy, (void *)buf);
}

long ipc_reply_recv(int to, struct msg *m, void *buf, unsigned slen, unsigned cap) {
    return ipc(SYS_REPLY_RECV, ipc_arg(to, slen, cap), m, buf);
}

_Noreturn void exit(int status) {
    if (stdout_fd >= 0)
        fsync(stdout_fd);
    sys1(SYS_EXIT, status);
    for (;;)
        ;
}

long write(int fd, const void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        long r = sys3(SYS_WRITE, fd, (const char *)buf + done, n - done);
        if (r <= 0)
            return done ? (long)done : r;
        done += r;
    }
    return done;
}

struct thread_start { void (*fn)(void *); void *arg; };

static void thread_entry(struct thread_start *ts) {
    ts->fn(ts->arg);
    sys2(SYS_EXIT, 0, 1);
}

long thread_create(void (*fn)(void *), void *arg) {
    enum { STACK = 16384 };
    char *stack = map(0, STACK, 0);
    if ((long)stack < 0)
        return (long)stack;
    struct thread_start *ts = (struct thread_start *)(stack + STACK) - 1;
    ts->fn = fn, ts->arg = arg;
    return sys3(SYS_THREAD, thread_entry, (char *)ts - 8, ts);
}

int main(const char *arg, unsigned long a2, unsigned long a3);

void libmain(const char *arg, unsigned long a2, unsigned long a3) {
    stdio_open();
    exit(main(arg, a2, a3));
}

/* SYSCALL entry setup and the system call table. Arguments: rdi, rsi, rdx, r10, r8, r9. */
#include "kernel.h"

void syscall_init(void) {
    wrmsr(0xC0000081, (0x10ul << 48) | (0x08ul << 32));   /* STAR: SYSRET base 0x10, SYSCALL 0x08 */
    wrmsr(0xC0000082, (u64)syscall_entry);                /* LSTAR */
    wrmsr(0xC0000084, 0x40700);                           /* FMASK: IF, DF, TF, AC */
    /* Instructions retired for ipcbench: fixed counter 0 in rings 0 and 3, RDPMC allowed in
     * user mode (CR4.PCE), when CPUID leaf 0xA reports it (SDM vol. 3B 20.2.2). */
    u32 a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    if (a >= 0xA && (cpuid(0xA, &a, &b, &c, &d), (a & 0xFF) >= 2 && (d & 0x1F) >= 1)) {
        wrmsr(0x38D, 0x3);
        wrmsr(0x38F, 1ul << 32);
        u64 cr4;
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1ul << 8)));
    }
}

/* Copies a user string of at most n-1 characters into dst. */
static long ustr(char *dst, const char *src, u32 n) {
    for (u32 i = 0; i < n; i++) {
        if ((i == 0 || (u64)(src + i) % PAGE == 0) && !user_ok(src + i, 1, false))
            return -EFAULT;
        if (!(dst[i] = src[i]))
            return i;
    }
    return -EINVAL;
}

/* The received message into the user's registers and buffer. */
static long deliver(struct frame *f, long r) {
    f->rdi = cur->from;
    f->rsi = cur->mr[0], f->rdx = cur->mr[1], f->r10 = cur->mr[2], f->r8 = cur->mr[3];
    if (cur->ilen && copy_user((void *)cur->ubuf, cur->ibuf, cur->ilen))
        return -EFAULT;
    return r;
}

/* Stages the words and checks the buffer of an IPC system call. */
static long stage(struct frame *f, u32 slen, u32 cap) {
    u32 n = slen > cap ? slen : cap;   /* one check covers both ranges */
    if (n > IPC_MAX || f->r9 > USER_TOP - n)
        return -EFAULT;
    cur->out[0] = f->rsi, cur->out[1] = f->rdx, cur->out[2] = f->r10, cur->out[3] = f->r8;
    cur->icap = cap;
    cur->ubuf = f->r9;
    return 0;
}

/* The IPC fast path, entered straight from syscall_entry (which knows the numbers). */
_Static_assert(SYS_CALL == 6 && SYS_RECV == 7 && SYS_REPLY == 8 && SYS_REPLY_RECV == 9, "entry.S");

long syscall_ipc(struct frame *f) {
    u64 a = f->rdi;
    int to = (int)(a & 0xFFFFFFFF);
    u32 slen = (a >> 32) & 0xFFFF, cap = a >> 48;
    long r = stage(f, slen, cap);
    if (r < 0)
        return r;
    if (f->rax == SYS_CALL) {
        struct thread *d = thread_get(to);
        if (!d)
            return -ESRCH;
        if (slen && copy_user(cur->obuf, (void *)f->r9, slen))
            return -EFAULT;
        cur->olen = slen;
        r = ipc_call(d);
    } else {
        struct thread *c = NULL;
        if (to && (r = ipc_reply(to, (void *)f->r9, slen, &c)) < 0)
            return r;
        if (f->rax == SYS_REPLY) {
            if (c)
                ready(c);
            return 0;
        }
        if (c && !cur->notes && !cur->senders.head) {
            cur->state = T_RECV;   /* straight back to the caller */
            ipc_switch(c);
            r = cur->status;
        } else {
            if (c)
                ready(c);
            r = ipc_recv();
        }
    }
    return r >= 0 ? deliver(f, r) : r;
}

static long sys_map(u64 va, u64 len, u64 flags) {
    struct proc *p = cur->proc;
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (!va) {
        va = p->heap_next;
        p->heap_next += len + PAGE;
    }
    if (!len || va % PAGE || va < 0x10000 || va + len > USER_TOP || va + len < va)
        return -EINVAL;
    for (u64 off = 0; off < len; off += PAGE) {
        u64 pa = frame_alloc();
        long r = pa ? map_page(p->pml4, va + off, pa, PTE_U | PTE_W | PTE_OWNED | (flags & MAP_EXEC ? 0 : PTE_NX)) : -ENOMEM;
        if (r < 0) {
            if (pa)
                frame_free(pa);
            while (off) {
                off -= PAGE;
                frame_free(unmap_page(p->pml4, va + off));
            }
            return r;
        }
    }
    return va;
}

static long sys_unmap(u64 va, u64 len) {
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (va % PAGE || va + len > USER_TOP || va + len < va)
        return -EINVAL;
    for (u64 off = 0; off < len; off += PAGE) {
        u64 *pte = pte_find(cur->proc->pml4, va + off);
        if (pte && (*pte & PTE_DMA))
            return -EPERM;   /* DMA memory stays until its owner exits */
        u64 pa = unmap_page(cur->proc->pml4, va + off);
        if (pa)
            frame_free(pa);
    }
    return 0;
}

static long sys_spawn(const char *upath, const char *uarg, u64 flags) {
    char path[64], arg[256];
    if (ustr(path, upath, sizeof path) < 0 || (uarg && ustr(arg, uarg, sizeof arg) < 0))
        return -EFAULT;
    struct proc *p = proc_spawn(path, uarg ? arg : "", cur->proc);
    if (!p)
        return -ENOENT;
    if (!(flags & SPAWN_SUSPENDED))
        ready(p->main);
    return p->pid;
}

/* Only the parent (or init) controls a process. */
static struct proc *child(int pid) {
    struct proc *p = proc_get(pid);
    if (!p || p->state != P_LIVE)
        return NULL;
    return p->parent == cur->proc->pid || cur->proc == &procs[0] || p == cur->proc ? p : NULL;
}

static long sys_procinfo(u64 index, struct procinfo *u) {
    if (!user_ok(u, sizeof *u, true))
        return -EFAULT;
    for (; index < MAX_PROCS; index++) {
        struct proc *p = &procs[index];
        if (p->state == P_FREE)
            continue;
        struct thread *t = thread_get(p->pid);
        u->pid = p->pid, u->parent = p->parent, u->prio = t ? t->prio : 0;
        u->state = p->state == P_ZOMBIE ? PS_ZOMBIE : t && (t->state == T_RUNNING || t->state == T_READY) ? PS_RUN : PS_BLOCKED;
        u->cpu_ticks = p->cpu_ticks, u->pages = 0;
        memcpy(u->name, p->name, 16);
        return index + 1;
    }
    return 0;
}

long syscall_table(struct frame *f) {
    u64 a = f->rdi, b = f->rsi, c = f->rdx;
    struct proc *p;
    switch (f->rax) {
    case SYS_EXIT:
        if (b)
            thread_exit();
        proc_exit(cur->proc, (int)(a & 0xFF));
        return 0;
    case SYS_YIELD:
        ready(cur);
        schedule();
        return 0;
    case SYS_SLEEP:
        sleep_until(clock_ns() + (a < (1ul << 40) ? a : 1ul << 40) * 1000000);
        return 0;
    case SYS_CLOCK: return clock_ns();
    case SYS_KLOG: {
        char buf[256];
        if (ustr(buf, (const char *)a, sizeof buf) < 0)
            return -EFAULT;
        kprintf("%s", buf);
        return 0;
    }
    case SYS_GETPID: return a ? cur->tid : cur->proc->pid;
    case SYS_NOTIFY: {
        struct thread *t = thread_get(a);
        if (!t)
            return -ESRCH;
        ipc_notify(t, b);
        preempt_check();
        return 0;
    }
    case SYS_MAP: return sys_map(a, b, c);
    case SYS_UNMAP: return sys_unmap(a, b);
    case SYS_SPAWN: return sys_spawn((const char *)a, (const char *)b, c);
    case SYS_START:
        if (!(p = child(a)) || p->main->state != T_SUSPENDED)
            return -ESRCH;
        ready(p->main);
        return 0;
    case SYS_WAIT: {
        int status = 0;
        long r = proc_wait(a, &status, c);
        if (r > 0 && b) {
            if (!user_ok((void *)b, sizeof(int), true))
                return -EFAULT;
            *(int *)b = status;
        }
        return r;
    }
    case SYS_KILL:
        if (!(p = child(a)))
            return -ESRCH;
        proc_exit(p, KILLED | 0xFF);
        return 0;
    case SYS_THREAD: {
        if (a >= USER_TOP || b >= USER_TOP)   /* IRETQ to a non-canonical address faults in the kernel */
            return -EINVAL;
        struct thread *t = thread_new(cur->proc, a, b, c);
        if (!t)
            return -ENOMEM;
        ready(t);
        return t->tid;
    }
    case SYS_GRANT_IO: return grant_io(a, b, c);
    case SYS_GRANT_MEM: return grant_mem(a, b, c);
    case SYS_GRANT_IRQ: return grant_irq(a, b);
    case SYS_MAP_PHYS: return map_phys(a, b);
    case SYS_GRANT_DMA: return grant_dma(a, b);
    case SYS_DMA_MAP: return dma_map(a, (u64 *)b);
    case SYS_SEEK: return fs_call(a, SC_SEEK, b, NULL, 0, 0);
    case SYS_IRQ_BIND: return irq_bind(a, b);
    case SYS_IRQ_ACK: return irq_ack(a);
    case SYS_SCHEME: {
        char name[16];
        if (ustr(name, (const char *)a, sizeof name) <= 0)
            return -EINVAL;
        return scheme_register(name);
    }
    case SYS_OPEN: return fs_open((const char *)a, b);
    case SYS_READ: return fs_call(a, SC_READ, c, (void *)b, 0, c < IPC_MAX ? c : IPC_MAX);
    case SYS_WRITE: {
        u32 n = c < IPC_MAX ? c : IPC_MAX;
        return fs_call(a, SC_WRITE, n, (void *)b, n, 0);
    }
    case SYS_CLOSE: {
        long r = fs_call(a, SC_CLOSE, 0, NULL, 0, 0);
        if (r != -EBADF)
            cur->proc->fd[a].server = 0;
        return r;
    }
    case SYS_DUP: return fs_dup(a);
    case SYS_FSTAT: return fs_call(a, SC_FSTAT, 0, (void *)b, 0, sizeof(struct mica_stat));
    case SYS_FSYNC: return fs_call(a, SC_FSYNC, 0, NULL, 0, 0);
    case SYS_BENCH:   /* the work of a 1-byte scheme read, without the daemon */
        if (a >= MAX_FDS || !cur->proc->fd[a].server)
            return -EBADF;
        return urange(b, 1) && !copy_user((void *)b, "x", 1) ? 1 : -EFAULT;
    case SYS_PROCINFO: return sys_procinfo(a, (struct procinfo *)b);
    case SYS_CMDLINE: {
        u64 n = strlen(cmdline) + 1;
        if (n > b || !user_ok((void *)a, n, true))
            return -EFAULT;
        memcpy((void *)a, cmdline, n);
        return n - 1;
    }
    case SYS_PRIO: {
        struct thread *t;
        if (!(p = child(a)) || b >= NPRIO || !(t = thread_get(p->pid)))
            return -ESRCH;
        if (p == cur->proc && cur->proc != &procs[0] && (int)b < t->prio)
            return -EPERM;   /* only a parent raises a priority */
        t->prio = b;
        return 0;
    }
    }
    return -ENOSYS;
}

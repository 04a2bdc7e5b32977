/* Processes and threads: static tables, creation from the initfs, exit, wait and kill. */
#include "kernel.h"

static struct thread threads[MAX_THREADS];
static u8 kstacks[MAX_THREADS][8192] __attribute__((aligned(16)));
static u32 generation[MAX_THREADS];
struct proc procs[MAX_PROCS];

struct thread *thread_get(int tid) {
    if (tid <= 0)
        return NULL;
    struct thread *t = &threads[tid % MAX_THREADS];
    return t->tid == tid && t->state != T_FREE && t->state != T_DEAD ? t : NULL;
}

struct thread *thread_slot(int i) { return &threads[i]; }

struct proc *proc_get(int pid) {
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

/* A thread that will enter user mode at rip with rsp and rdi = arg, through ret_from_intr. */
struct thread *thread_new(struct proc *p, u64 rip, u64 rsp, u64 arg) {
    int slot = 0;
    while (slot < MAX_THREADS && threads[slot].state != T_FREE)
        slot++;
    if (slot == MAX_THREADS)
        return NULL;
    struct thread *t = &threads[slot];
    memset(t, 0, offsetof(struct thread, ibuf));
    t->tid = ++generation[slot] * MAX_THREADS + slot;
    t->proc = p;
    t->prio = p->main ? p->main->prio : 2;
    t->state = T_SUSPENDED;
    fpu_thread_init(t);
    t->kstack_top = (u64)kstacks[slot + 1];
    struct frame *f = (struct frame *)t->kstack_top - 1;
    memset(f, 0, sizeof *f);
    f->rip = rip, f->cs = 0x23, f->rflags = 0x202, f->rsp = rsp, f->ss = 0x1b, f->rdi = arg;
    u64 *sp = (u64 *)f;
    *--sp = (u64)thread_start;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    t->ksp = (u64)sp;
    p->nthreads++;
    return t;
}

struct proc *proc_spawn(const char *path, const char *arg, struct proc *parent) {
    u64 size, entry;
    const u8 *image = initfs_find(path, &size);
    if (!image)
        return NULL;
    struct proc *p = NULL;
    for (int i = 0; i < MAX_PROCS && !p; i++)
        if (procs[i].state == P_FREE)
            p = &procs[i];
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->pml4 = as_create();
    if (!p->pml4)
        return NULL;
    p->state = P_LIVE;
    if (elf_load(p->pml4, image, size, &entry) < 0)
        goto fail;
    u64 stack = USER_STACK_TOP - USER_STACK_PAGES * PAGE, top_frame = 0;
    for (u64 va = stack; va < USER_STACK_TOP; va += PAGE) {
        top_frame = frame_alloc();
        if (!top_frame || map_page(p->pml4, va, top_frame, PTE_U | PTE_W | PTE_NX | PTE_OWNED) < 0)
            goto fail;
    }
    strlcpy((char *)P2V(top_frame) + PAGE - 256, arg ? arg : "", 256);
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/')
            base = s + 1;
    strlcpy(p->name, base, sizeof p->name);
    p->parent = parent ? parent->pid : 0;
    p->heap_next = 0x200000000ul;
    p->mmio_next = 0x300000000ul;
    p->cr3 = ((u64)p->pml4 - PHYSMAP) | (have_pcid ? (u64)(p - procs) + 1 : 0);
    p->main = thread_new(p, entry, USER_STACK_TOP - 256 - 8, USER_STACK_TOP - 256);
    if (!p->main)
        goto fail;
    p->pid = p->main->tid;
    return p;
fail:
    as_destroy(p->pml4);
    p->state = P_FREE;
    return NULL;
}

static void wake_waiters(struct proc *p) {
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].proc == p && threads[i].state == T_WAIT)
            ready(&threads[i]);
}

static void thread_kill(struct thread *t) {
    ipc_server_died(t);
    scheme_forget(t->tid);
    list_unlink(t);
    t->state = t == cur ? T_DEAD : T_FREE;
    t->proc->nthreads--;
}

void proc_exit(struct proc *p, int status) {
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].proc == p && threads[i].state != T_FREE && threads[i].state != T_DEAD)
            thread_kill(&threads[i]);
    grants_release(p);
    as_forget(p);
    as_destroy(p->pml4);
    p->pml4 = NULL;
    p->state = P_ZOMBIE;
    p->status = status;
    struct proc *init = &procs[0];
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].parent == p->pid) {
            procs[i].parent = init->pid;
            if (procs[i].state == P_ZOMBIE && init->main)
                ipc_notify(init->main, NOTE_CHILD);
        }
    struct proc *parent = proc_get(p->parent);
    if (parent && parent->state == P_LIVE) {
        wake_waiters(parent);
        if (thread_get(parent->pid))
            ipc_notify(parent->main, NOTE_CHILD);
    } else {
        p->state = P_FREE;
    }
    if (cur->proc == p)
        schedule();
}

void thread_exit(void) {
    struct proc *p = cur->proc;
    if (cur == p->main || p->nthreads == 1)
        proc_exit(p, 0);
    thread_kill(cur);
    schedule();
}

long proc_wait(int pid, int *status, int flags) {
    for (;;) {
        bool any = false;
        for (int i = 0; i < MAX_PROCS; i++) {
            struct proc *c = &procs[i];
            if (c->state == P_FREE || c->parent != cur->proc->pid || (pid > 0 && c->pid != pid))
                continue;
            any = true;
            if (c->state == P_ZOMBIE) {
                *status = c->status;
                c->state = P_FREE;
                return c->pid;
            }
        }
        if (!any)
            return -ECHILD;
        if (flags & WAIT_NOHANG)
            return 0;
        block(T_WAIT);
    }
}

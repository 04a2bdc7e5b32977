/* The scheduler: priority round robin (0 is the highest of NPRIO), preemptive on the timer
 * tick. The kernel itself is not preemptible: it runs with interrupts off, except in idle. */
#include "kernel.h"

struct thread idle_thread = { .state = T_RUNNING, .prio = NPRIO };
struct thread *cur = &idle_thread;
static struct list runq[NPRIO];
static struct list sleepers;
static struct thread *reap_me;

void list_push(struct list *l, struct thread *t) {
    t->next = NULL;
    t->prev = l->tail;
    if (l->tail)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    t->on = l;
}

void list_unlink(struct thread *t) {
    struct list *l = t->on;
    if (!l)
        return;
    if (t->prev)
        t->prev->next = t->next;
    else
        l->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        l->tail = t->prev;
    t->on = NULL;
    t->next = t->prev = NULL;
}

struct thread *list_pop(struct list *l) {
    struct thread *t = l->head;
    if (t)
        list_unlink(t);
    return t;
}

void ready(struct thread *t) {
    list_unlink(t);
    t->state = T_READY;
    list_push(&runq[t->prio], t);
}

static struct thread *pick(void) {
    for (int p = 0; p < NPRIO; p++)
        if (runq[p].head)
            return list_pop(&runq[p]);
    return NULL;
}

/* Runs after every switch, on the new thread's stack: the old thread's stack is free now. */
void sched_tail(void) {
    if (reap_me) {
        reap_me->state = T_FREE;
        reap_me = NULL;
    }
}

/* Makes next current: its address space, I/O bitmap and kernel stack. prev's registers stay on
 * prev's kernel stack until something switches back to it. */
static inline void enter(struct thread *prev, struct thread *next) {
    if (prev == &idle_thread)
        timer_tick();
    cur = next;
    next->state = T_RUNNING;
    next->slice = SLICE_TICKS;
    if (next->proc) {
        as_switch(next->proc);
        tss_load_io(next->proc);
        tss_set_rsp0(next->kstack_top);
    }
    fpu_switch(next);
    switch_to(&prev->ksp, next->ksp);
    sched_tail();
}

void sched_switch(struct thread *next) {
    struct thread *prev = cur;
    if (next == prev) {
        prev->state = T_RUNNING;
        prev->slice = SLICE_TICKS;
        return;
    }
    if (prev->state == T_DEAD)
        reap_me = prev;
    enter(prev, next);
}

/* The IPC fast path's switch: cur has blocked alive (T_REPLY or T_RECV) and next is its partner. */
void ipc_switch(struct thread *next) {
    enter(cur, next);
}

void schedule(void) {
    struct thread *next = pick();
    sched_switch(next ? next : &idle_thread);
}

void block(int state) {
    cur->state = state;
    schedule();
}

/* Deadlines are on the TSC clock that SYS_CLOCK reads, so a sleep never ends early by that clock
 * (the LAPIC tick, calibrated against the PIT, runs slightly off it). */
void sleep_until(u64 ns) {
    cur->wake_at = ns;
    struct thread *t = sleepers.head;
    while (t && t->wake_at <= ns)
        t = t->next;
    /* keep the sleepers sorted by deadline */
    if (!t) {
        list_push(&sleepers, cur);
    } else {
        cur->next = t;
        cur->prev = t->prev;
        if (t->prev)
            t->prev->next = cur;
        else
            sleepers.head = cur;
        t->prev = cur;
        cur->on = &sleepers;
    }
    block(T_SLEEP);
}

static bool better_ready(void) {
    for (int p = 0; p < NPRIO && p <= cur->prio; p++)
        if (runq[p].head)
            return p < cur->prio || cur->slice <= 0;
    return false;
}

void preempt_check(void) {
    if (better_ready()) {
        if (cur != &idle_thread)
            ready(cur);
        schedule();
    }
}

void sched_tick(void) {
    if (sleepers.head) {
        u64 now = clock_ns();
        while (sleepers.head && sleepers.head->wake_at <= now)
            ready(sleepers.head);
    }
    if (cur->proc)
        cur->proc->cpu_ticks++;
    if (cur != &idle_thread)
        cur->slice--;
    preempt_check();
}

/* The boot thread becomes idle: it halts with interrupts on until there is work, with the tick
 * stopped until the first sleeper's deadline (an interrupt switching to a thread restarts it). */
void sched_init(void) {
    for (;;) {
        preempt_check();
        timer_idle(sleepers.head ? sleepers.head->wake_at : 0);
        __asm__ volatile("sti; hlt; cli" ::: "memory");   /* interrupts change the queues */
    }
}

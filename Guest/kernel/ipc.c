/* Synchronous IPC in the L4 tradition. A message is four words plus a payload of up to IPC_MAX
 * bytes, staged in the sender's out/obuf and copied into the receiver's mr/ibuf; the receiver
 * copies the payload to its own user buffer when it runs again. A call hands the CPU straight
 * to a waiting receiver, a reply-and-receive straight back to the caller. */
#include "kernel.h"

static void transfer(struct thread *s, struct thread *r) {
    u32 n = s->olen < r->icap ? s->olen : r->icap;
    r->from = s->tid;
    r->mr[0] = s->out[0], r->mr[1] = s->out[1], r->mr[2] = s->out[2], r->mr[3] = s->out[3];
    if (n)
        memcpy(r->ibuf, s->obuf, n);
    r->ilen = n;
    r->status = n;
}

static void deliver_notes(struct thread *t) {
    t->from = 0;
    t->mr[0] = t->notes, t->mr[1] = t->mr[2] = t->mr[3] = 0;
    t->notes = 0;
    t->ilen = 0;
    t->status = 0;
}

/* Sends cur's staged message to d and waits for the reply: its length or -error. */
long ipc_call(struct thread *d) {
    if (d == cur)
        return -EINVAL;
    cur->partner = d->tid;
    if (d->state == T_RECV) {
        transfer(cur, d);
        cur->state = T_REPLY;
        sched_switch(d);
    } else {
        list_push(&d->senders, cur);
        block(T_SEND);
    }
    return cur->status;
}

/* Waits for a notification or a message: the payload length or -error. */
long ipc_recv(void) {
    if (cur->notes) {
        deliver_notes(cur);
        return 0;
    }
    struct thread *s = list_pop(&cur->senders);
    if (s) {
        transfer(s, cur);
        s->state = T_REPLY;
        return cur->ilen;
    }
    block(T_RECV);
    return cur->status;
}

/* Replies to a thread waiting on cur with cur's staged words and the user's src[0..len);
 * the caller decides when it runs: *woken is the thread, not yet on the run queue. */
long ipc_reply(int to, const void *src, u32 len, struct thread **woken) {
    struct thread *c = thread_get(to);
    if (!c || c->state != T_REPLY || c->partner != cur->tid)
        return -ESRCH;
    u32 n = len < c->icap ? len : c->icap;
    if (n && copy_user(c->ibuf, src, n))
        return -EFAULT;
    c->from = cur->tid;
    c->mr[0] = cur->out[0], c->mr[1] = cur->out[1], c->mr[2] = cur->out[2], c->mr[3] = cur->out[3];
    c->ilen = n;
    c->status = n;
    *woken = c;
    return 0;
}

void ipc_notify(struct thread *t, u64 bits) {
    t->notes |= bits;
    if (t->state == T_RECV) {
        deliver_notes(t);
        ready(t);
    }
}

/* A dead server's callers, queued or awaiting a reply, get -EPIPE. */
void ipc_server_died(struct thread *t) {
    struct thread *s;
    while ((s = list_pop(&t->senders))) {
        s->status = -EPIPE;
        ready(s);
    }
    for (int i = 0; i < MAX_THREADS; i++) {
        struct thread *c = thread_slot(i);
        if (c->state == T_REPLY && c->partner == t->tid) {
            c->status = -EPIPE;
            ready(c);
        }
    }
}

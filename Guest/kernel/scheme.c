/* Redox-style schemes: a daemon registers a name; open("name:path") and the calls on the file
 * descriptor it returns become IPC calls to that daemon. The kernel only routes. */
#include "kernel.h"

static struct { char name[16]; int tid; } schemes[16];

long scheme_register(const char *name) {
    int free = -1;
    for (int i = 0; i < 16; i++) {
        if (schemes[i].tid && thread_get(schemes[i].tid) && !strncmp(schemes[i].name, name, 16))
            return -EEXIST;
        if (free < 0 && (!schemes[i].tid || !thread_get(schemes[i].tid)))
            free = i;
    }
    if (free < 0)
        return -ENOMEM;
    strlcpy(schemes[free].name, name, 16);
    schemes[free].tid = cur->tid;
    return 0;
}

void scheme_forget(int tid) {
    for (int i = 0; i < 16; i++)
        if (schemes[i].tid == tid)
            schemes[i].tid = 0;
}

/* A call to the daemon behind fd: words op, handle, count, caller pid; payload ubuf[0..slen);
 * the reply's payload lands in ubuf[0..cap). Returns the reply's word 0. */
long fs_call(int fd, long op, long count, void *ubuf, u32 slen, u32 cap) {
    struct proc *p = cur->proc;
    if (fd < 0 || fd >= MAX_FDS || !p->fd[fd].server)
        return -EBADF;
    struct thread *s = thread_get(p->fd[fd].server);
    if (!s)
        return -EPIPE;
    if (slen > IPC_MAX || cap > IPC_MAX || !urange((u64)ubuf, slen) || !urange((u64)ubuf, cap) ||
        (slen && copy_user(cur->obuf, ubuf, slen)))
        return -EFAULT;
    cur->out[0] = op, cur->out[1] = p->fd[fd].handle, cur->out[2] = count, cur->out[3] = p->pid;
    cur->olen = slen;
    cur->icap = cap;
    long r = ipc_call(s);
    if (r < 0)
        return r;
    if (cur->ilen && copy_user(ubuf, cur->ibuf, cur->ilen))
        return -EFAULT;
    return cur->mr[0];
}

static int fd_alloc(struct proc *p) {
    for (int fd = 0; fd < MAX_FDS; fd++)
        if (!p->fd[fd].server)
            return fd;
    return -EMFILE;
}

long fs_open(const char *upath, long flags) {
    struct proc *p = cur->proc;
    char *path = (char *)cur->obuf;
    u32 n = 0;
    for (;; n++) {
        if (n == 255 || (((u64)(upath + n) % PAGE == 0 || n == 0) && !user_ok(upath + n, 1, false)))
            return -EFAULT;
        if (!(path[n] = upath[n]))
            break;
    }
    u32 colon = 0;
    while (colon < n && path[colon] != ':')
        colon++;
    if (colon == n || colon >= 16)
        return -ENOENT;
    struct thread *s = NULL;
    for (int i = 0; i < 16 && !s; i++)
        if (schemes[i].tid && !strncmp(schemes[i].name, path, colon) && !schemes[i].name[colon])
            s = thread_get(schemes[i].tid);
    if (!s)
        return -ENODEV;
    int fd = fd_alloc(p);
    if (fd < 0)
        return fd;
    memcpy(path, path + colon + 1, n - colon);
    cur->out[0] = SC_OPEN, cur->out[1] = 0, cur->out[2] = flags, cur->out[3] = p->pid;
    cur->olen = n - colon;   /* the path and its terminating zero */
    cur->icap = 0;
    long r = ipc_call(s);
    if (r < 0)
        return r;
    if (cur->mr[0] < 0)
        return cur->mr[0];
    p->fd[fd].server = s->tid;
    p->fd[fd].handle = cur->mr[0];
    return fd;
}

long fs_dup(int fd) {
    struct proc *p = cur->proc;
    int nfd = fd_alloc(p);
    if (nfd < 0)
        return nfd;
    long h = fs_call(fd, SC_DUP, 0, NULL, 0, 0);
    if (h < 0)
        return h;
    p->fd[nfd].server = p->fd[fd].server;
    p->fd[nfd].handle = h;
    return nfd;
}

/* The kernel/user contract: system call numbers, errors, IPC and scheme protocol. Shared by
 * Guest/kernel and Guest/lib. Arguments go in rdi, rsi, rdx, r10, r8, r9; the result in rax. */
#pragma once

enum {
    SYS_EXIT, SYS_YIELD, SYS_SLEEP, SYS_CLOCK, SYS_KLOG, SYS_GETPID,
    SYS_CALL, SYS_RECV, SYS_REPLY, SYS_REPLY_RECV, SYS_NOTIFY,
    SYS_MAP, SYS_UNMAP, SYS_SPAWN, SYS_START, SYS_WAIT, SYS_KILL, SYS_THREAD,
    SYS_GRANT_IO, SYS_GRANT_MEM, SYS_GRANT_IRQ, SYS_MAP_PHYS, SYS_IRQ_BIND, SYS_IRQ_ACK,
    SYS_SCHEME, SYS_OPEN, SYS_READ, SYS_WRITE, SYS_CLOSE, SYS_DUP, SYS_FSTAT, SYS_FSYNC,
    SYS_PROCINFO, SYS_CMDLINE, SYS_PRIO,
    SYS_BENCH,   /* ipcbench's monolithic baseline: a 1-byte read done in the kernel */
    SYS_GRANT_DMA, SYS_DMA_MAP, SYS_SEEK,
    SYS_COUNT
};

/* Errors are returned negated. */
enum { EPERM = 1, ENOENT = 2, ESRCH = 3, EIO = 5, EBADF = 9, ECHILD = 10, EAGAIN = 11,
       ENOMEM = 12, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EISDIR = 21,
       EINVAL = 22, EMFILE = 24, EFBIG = 27, ENOSPC = 28, EPIPE = 32, ENOSYS = 38 };

/* IPC: SYS_CALL/SYS_REPLY/SYS_REPLY_RECV take rdi = tid | send length << 32 | receive
 * capacity << 48, four message words in rsi, rdx, r10, r8 and the payload buffer in r9.
 * A receive returns the payload length (or -error) in rax, the sender in rdi (0: the kernel,
 * then word 0 holds the notification bits) and the words in rsi, rdx, r10, r8. */
#define IPC_MAX 2048
#define NOTE_CHILD (1ul << 62)      /* a child process exited: wait() for it */

/* Scheme requests: word 0 = op, 1 = handle, 2 = count or flags; the reply's word 0 = result. */
/* SC_OPEN flags (word 2), for schemes that have files: */
#define OPEN_CREATE 1    /* create the file if it does not exist */
#define OPEN_TRUNC 2     /* empty it */
#define OPEN_APPEND 4    /* every write goes to the end */
#define OPEN_MKDIR 8     /* create a directory (the handle is that directory) */
#define OPEN_UNLINK 16   /* remove the file or empty directory (the handle is only to be closed) */
enum { SC_OPEN = 1, SC_READ, SC_WRITE, SC_CLOSE, SC_DUP, SC_FSTAT, SC_FSYNC, SC_SEEK };

struct mica_stat { unsigned long size; unsigned long mode; };
#define MODE_FILE 1
#define MODE_DIR 2
#define MODE_CHAR 3

/* SYS_MAP flags */
#define MAP_EXEC 1
/* SYS_SPAWN flags */
#define SPAWN_SUSPENDED 1
/* SYS_WAIT flags */
#define WAIT_NOHANG 1
/* Exit status of a process killed by a fault: KILLED | vector. */
#define KILLED 0x1000

struct procinfo { int pid, parent, state, prio; unsigned long cpu_ticks, pages; char name[16]; };
enum { PS_RUN = 1, PS_BLOCKED, PS_ZOMBIE };

#define USER_STACK_TOP 0x00007ffffff00000ul
#define USER_STACK_PAGES 16
#define INITFS_VA 0x0000000100000000ul   /* where init sees the initfs archive */

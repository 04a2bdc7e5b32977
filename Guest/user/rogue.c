/* rogue: test=isolation. The test spawns one child per attempt ("try NAME"); the child holds no
 * grant and tries something only a privileged or granted process may do. Each attempt must fail:
 * the child is killed by the fault (status KILLED | vector) or the system call returns an error
 * (the child exits 0); exit status 99 means the attempt worked, a hole. The system must keep
 * running: afterwards serial: and the supervisor still answer. */
#include "mica.h"

#define WORKED 99

static int attempt(const char *what) {
    int pid = getpid();
    if (!strcmp(what, "port-0x60"))
        (void)inb(0x60);
    else if (!strcmp(what, "port-0x3f8"))
        outb(0x3F8, 'X');   /* uartd's port */
    else if (!strcmp(what, "port-0xcf8"))
        outl(0xCF8, 0x80000000u);
    else if (!strcmp(what, "map-phys-vga"))
        return sys2(SYS_MAP_PHYS, 0xB8000, 4096) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "map-phys-lapic"))
        return sys2(SYS_MAP_PHYS, 0xFEE00000ul, 4096) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "irq-bind-4"))
        return irq_bind(4, 1) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "irq-ack-1"))
        return irq_ack(1) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "write-kernel-text"))
        *(volatile long *)0xFFFFFFFF80100000ul = 0;
    else if (!strcmp(what, "write-physmap"))
        *(volatile long *)0xFFFF800000100000ul = 0;
    else if (!strcmp(what, "cli"))
        __asm__ volatile("cli");
    else if (!strcmp(what, "hlt"))
        __asm__ volatile("hlt");
    else if (!strcmp(what, "mov-cr3"))
        __asm__ volatile("mov %0, %%cr3" ::"r"(0ul));
    else if (!strcmp(what, "wrmsr"))
        __asm__ volatile("wrmsr" ::"c"(0xC0000082u), "a"(0), "d"(0));
    else if (!strcmp(what, "lgdt")) {
        static struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr;
        __asm__ volatile("lgdt %0" ::"m"(gdtr));
    } else if (!strcmp(what, "grant-io-self"))
        return grant_io(pid, 0x60, 1) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "grant-irq-self"))
        return grant_irq(pid, 1) >= 0 ? WORKED : 0;
    else if (!strcmp(what, "grant-mem-self"))
        return grant_mem(pid, 0xB8000, 4096) >= 0 ? WORKED : 0;
    else
        return 2;
    return WORKED;   /* still alive after a privileged act */
}

static const char *const attempts[] = {
    "port-0x60", "port-0x3f8", "port-0xcf8", "map-phys-vga", "map-phys-lapic", "irq-bind-4", "irq-ack-1",
    "write-kernel-text", "write-physmap", "cli", "hlt", "mov-cr3", "wrmsr", "lgdt",
    "grant-io-self", "grant-irq-self", "grant-mem-self",
};

static _Noreturn void finish(bool ok, const char *why) {
    if (ok)
        printf("TEST isolation: PASS\n");
    else
        printf("TEST isolation: FAIL %s\n", why);
    fsync(stdout_fd);
    outl(0xF4, ok ? 0 : 1);
    exit(ok ? 0 : 1);
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    if (!strncmp(arg, "try ", 4))
        return attempt(arg + 4);
    bool ok = true;
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        char a[40];
        snprintf(a, sizeof a, "try %s", attempts[i]);
        long pid = spawn("rogue", a, 0);
        int status = -1;
        if (pid < 0 || wait(pid, &status, 0) != pid) {
            printf("FAIL %s: cannot run (%d)\n", attempts[i], (int)pid);
            ok = false;
        } else if (status & KILLED)
            printf("PASS %s: killed (vector %d)\n", attempts[i], status & 0xFF);
        else if (status == 0)
            printf("PASS %s: refused with an error\n", attempts[i]);
        else {
            printf("FAIL %s: status %x\n", attempts[i], status);
            ok = false;
        }
    }
    /* the rest of the system is unharmed: the supervisor answers and its drivers run */
    long fd = open("rs:list");
    char buf[512];
    long n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (n > 0) {
        buf[n] = 0;
        printf("%s", buf);
    }
    if (fd >= 0)
        close(fd);
    if (n <= 0 || !strchr(buf, 'r'))
        finish(false, "rs: does not answer");
    finish(ok, "an attempt was not refused");
}

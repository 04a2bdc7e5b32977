/* The compute-bound loop of Benchmarks/Cpu/InterpreterThroughputBenchmark and
 * Benchmarks/Jit/JitThroughputBenchmark as a bare-metal multiboot kernel, so that the same guest code
 * can be timed on emu and on QEMU TCG. ROUNDS passes of 1024 iterations of the 10-instruction loop
 * (load, ADD, IMUL, XOR, store, ADD, CMP, SETcc, DEC, JNZ), then debug-exit. Built by build.sh. */
#include "test.h"

const char test_name[] = "guestloop";

static uint64_t data[1024];

int main(void) {
    uint64_t rounds = ROUNDS;
    uint64_t sum;
    __asm__ volatile(
        "1:\n\t"
        "lea %[data], %%rsi\n\t"
        "mov $1024, %%ecx\n\t"
        "xor %%eax, %%eax\n\t"
        "2:\n\t"
        "mov (%%rsi), %%rdx\n\t"
        "add %%rdx, %%rax\n\t"
        "imul $31, %%rax, %%rax\n\t"
        "xor %%rcx, %%rax\n\t"
        "mov %%rax, (%%rsi)\n\t"
        "add $8, %%rsi\n\t"
        "cmp %%rdx, %%rax\n\t"
        "setb %%bl\n\t"
        "dec %%ecx\n\t"
        "jnz 2b\n\t"
        "dec %[rounds]\n\t"
        "jnz 1b\n\t"
        : [rounds] "+r"(rounds), "=a"(sum), [data] "+m"(data)
        :
        : "rbx", "rcx", "rdx", "rsi", "cc");
    kprintf("guestloop: %x\n", (uint32_t)sum);
    debug_exit(0);
}

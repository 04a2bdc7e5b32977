/* hello: the smallest test kernel, a multiboot1 image (a.out kludge) entered in 32-bit protected mode.
 * It prints a line on COM1 and leaves through isa-debug-exit. Proves the build and both machines. */
#include "multiboot.inc"

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
    call puts32
    mov $0xF4, %dx                      /* isa-debug-exit: status (0 << 1) | 1 */
    xor %eax, %eax
    out %eax, %dx
4:  cli
    hlt
    jmp 4b

#include "puts32.inc"

    .section .rodata
msg: .asciz "TEST hello: PASS\n"

    .bss
    .align 16
    .space 4096
stack_top:

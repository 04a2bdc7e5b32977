/* Boot stub: a multiboot1 image (a.out kludge) entered in 32-bit protected mode.
 * It prints a line on COM1 and leaves through isa-debug-exit. The real kernel replaces it. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003            /* page-align, memory info, a.out kludge addresses */

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long mb_header, _load_start, _load_end, _bss_end, _start

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
1:  lodsb
    test %al, %al
    jz 3f
    mov %al, %bl
    mov $0x3FD, %dx                     /* wait for THR empty */
2:  in %dx, %al
    test $0x20, %al
    jz 2b
    mov $0x3F8, %dx
    mov %bl, %al
    out %al, %dx
    jmp 1b
3:  mov $0xF4, %dx                      /* isa-debug-exit: status (0 << 1) | 1 */
    xor %eax, %eax
    out %eax, %dx
4:  cli
    hlt
    jmp 4b

    .section .rodata
msg: .asciz "mica: boot stub\n"

    .bss
    .align 16
    .space 4096
stack_top:

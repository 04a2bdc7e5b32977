/* lowload: a multiboot image loaded low, at 0x9000, its code, data and bss spanning the conventional
 * memory a loader might keep for itself (up to 0x20000). The loader must put its boot information
 * elsewhere: the kernel checks the magic, that EBX (the information) lies outside its loaded bytes, that
 * the information's flags carry the memory map, and that a data pattern it carries arrived intact. */
#include "multiboot.inc"
#define PATTERN 0x5A17C0DE

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    mov $msg_magic, %esi
    cmp $0x2BADB002, %eax
    jne fail
    mov $msg_info, %esi
    cmp $_load_start, %ebx
    jb 1f
    cmp $_load_end, %ebx                /* QEMU puts it at _load_end, over the bss (the spec says not in */
    jb fail                             /* the image at all; emu's loader tests check that) */
1:  mov $msg_flags, %esi
    testl $(1 << 6), (%ebx)             /* mmap_* valid */
    jz fail
    mov $msg_pattern, %esi
    mov $pattern_words, %edi
    mov $((pattern_end - pattern_words) / 4), %ecx
2:  cmpl $PATTERN, (%edi)
    jne fail
    add $4, %edi
    loop 2b
    mov $msg_pass, %esi
    call puts32
    mov $0xF4, %dx                      /* isa-debug-exit: status (0 << 1) | 1 */
    xor %eax, %eax
    out %eax, %dx
    jmp halt
fail:
    push %esi
    mov $msg_fail, %esi
    call puts32
    pop %esi
    call puts32
    mov $0xF4, %dx                      /* isa-debug-exit: status (1 << 1) | 1 */
    mov $1, %eax
    out %eax, %dx
halt:
    cli
    hlt
    jmp halt

#include "puts32.inc"

    .section .rodata
msg_pass: .asciz "TEST lowload: PASS\n"
msg_fail: .asciz "TEST lowload: FAIL "
msg_magic: .asciz "magic\n"
msg_info: .asciz "the boot information lies inside the image\n"
msg_flags: .asciz "no memory map\n"
msg_pattern: .asciz "the image's data was overwritten\n"

    .data
    .align 4
pattern_words:
    .rept 0x8000                        /* 128 KiB of pattern: 0x9xxx up past 0x20000 */
    .long PATTERN
    .endr
pattern_end:

    .bss
    .align 16
    .space 4096
stack_top:

/* segbase's assembly (boot32_hook, paging off): code runs through code segments whose base is not 0,
 * and each snippet is copied to its segment's base plus the offset jumped to. A second, "wrong" snippet
 * sits at the offset itself (linear = offset, base ignored): a machine that fetches without CS's base
 * runs it and records 0xBAD instead of the snippet's mark. EBX holds the address of the result. */
#define B32 0x20000                     /* 32-bit code segment base */
#define B16 0x30000                     /* 16-bit code segment base */
#define REAL_SEG 0x0700                 /* real-mode CS: base 0x7000 */
#define TRAMPOLINE 0x8000               /* 16-bit code, base 0, that drops to real mode */

.macro copy from, to, dest
    movl $\from, %esi
    movl $\dest, %edi
    movl $(\to - \from), %ecx
    rep movsb
.endm

    .text
    .code32
    .globl boot32_hook
boot32_hook:
    pushal
    sgdt saved_gdt
    lgdt seg_gdt_ptr
    copy pm32_ok, pm32_ok_end, B32 + 0x100
    copy pm32_bad, pm32_bad_end, 0x100
    copy pm16_ok, pm16_ok_end, B16 + 0x200
    copy pm16_bad, pm16_bad_end, 0x200
    copy real_ok, real_ok_end, (REAL_SEG << 4)
    copy real_bad, real_bad_end, 0
    copy trampoline, trampoline_end, TRAMPOLINE

    movl $result_pm32, %ebx
    ljmp $0x08, $0x100                  /* 32-bit code, base B32 */
back32:
    movl $result_pm16, %ebx
    ljmp $0x20, $0x200                  /* 16-bit code, base B16 */
back16:
    movl $result_real, %ebx
    ljmp $0x30, $TRAMPOLINE             /* to real mode at REAL_SEG:0000 and back */
back_real:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss

    lgdt saved_gdt
    ljmp $0x18, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    popal
    ret

/* ---- snippets, copied before they run ---- */
pm32_ok:
    movl $0x32, (%ebx)
    ljmp $0x18, $back32
pm32_ok_end:
pm32_bad:
    movl $0xBAD, (%ebx)
    ljmp $0x18, $back32
pm32_bad_end:

    .code16
pm16_ok:
    movl $0x16, %eax
    movl %eax, (%ebx)
    ljmpl $0x18, $back16
pm16_ok_end:
pm16_bad:
    movl $0xBAD, %eax
    movl %eax, (%ebx)
    ljmpl $0x18, $back16
pm16_bad_end:
trampoline:
    movl %cr0, %eax
    andl $~1, %eax
    movl %eax, %cr0
    ljmp $REAL_SEG, $0
trampoline_end:
real_ok:                                /* DS keeps its flat cache across the switch (unreal mode) */
    movl $0x10, %eax
    movl %eax, (%ebx)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x18, $back_real
real_ok_end:
real_bad:
    movl $0xBAD, %eax
    movl %eax, (%ebx)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x18, $back_real
real_bad_end:
    .code32

    .data
    .align 8
seg_gdt:
    .quad 0
    .quad 0x00409A020000FFFF            /* 0x08 32-bit code, base B32, limit 0xFFFF */
    .quad 0x00CF92000000FFFF            /* 0x10 flat data */
    .quad 0x00CF9A000000FFFF            /* 0x18 flat 32-bit code */
    .quad 0x00009A030000FFFF            /* 0x20 16-bit code, base B16, limit 0xFFFF */
    .quad 0x000092000000FFFF            /* 0x28 16-bit data, base 0 */
    .quad 0x00009A000000FFFF            /* 0x30 16-bit code, base 0, limit 0xFFFF */
seg_gdt_end:
seg_gdt_ptr:
    .word seg_gdt_end - seg_gdt - 1
    .long seg_gdt
saved_gdt: .word 0
    .long 0, 0
    .globl result_pm32, result_pm16, result_real
result_pm32: .long 0
result_pm16: .long 0
result_real: .long 0

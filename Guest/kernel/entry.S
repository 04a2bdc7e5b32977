/* Kernel entry and exit: interrupt stubs, the SYSCALL path, thread switching.
 * Both paths build a struct frame (kernel.h) on the thread's kernel stack. */
#define FRAME_CS 144
#define FRAME_RAX 112

    .text
/* 256 stubs of 16 bytes: push a zero error code unless the CPU pushed one, then the vector. */
    .align 16
    .globl isr_stubs
isr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    nop
    nop
    .else
    pushq $0
    .endif
    pushq $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

    .macro PUSH_GPRS
    push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
    push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
    .endm
    .macro POP_GPRS
    pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8
    pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
    .endm

isr_common:
    cld
    PUSH_GPRS
    testb $3, FRAME_CS(%rsp)
    jz 1f
    swapgs
1:  mov %rsp, %rdi
    call isr_dispatch
    .globl ret_from_intr
ret_from_intr:
    testb $3, FRAME_CS(%rsp)
    jz 2f
    swapgs
2:  POP_GPRS
    add $16, %rsp
    iretq

/* SYSCALL: rcx = user rip, r11 = user rflags; IF is masked (FMASK). gs:0 is the kernel stack.
 * The frame's slots for rbx, rbp and r12-r15 are left unwritten: the C code preserves those
 * registers, so they hold the user's values again when it returns. IPC numbers (SYS_CALL to
 * SYS_REPLY_RECV, 6-9 in abi.h) go straight to syscall_ipc, the rest to syscall_table. */
    .globl syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:8
    mov %gs:0, %rsp
    pushq $0x1b
    pushq %gs:8
    push %r11
    pushq $0x23
    push %rcx
    pushq $0
    pushq $0x100
    push %rax
    sub $8, %rsp
    push %rcx; push %rdx; push %rsi; push %rdi
    sub $8, %rsp
    push %r8; push %r9; push %r10; push %r11
    sub $32, %rsp
    mov %rsp, %rdi
    lea -6(%rax), %rcx
    cmp $3, %rcx
    ja 1f
    call syscall_ipc
    jmp 2f
1:  call syscall_table
2:  mov %rax, FRAME_RAX(%rsp)
    add $32, %rsp
    add $8, %rsp                        /* r11: becomes rflags below */
    pop %r10; pop %r9; pop %r8
    add $8, %rsp
    pop %rdi; pop %rsi; pop %rdx
    add $16, %rsp                       /* rcx (becomes rip), rbx */
    pop %rax
    add $16, %rsp
    mov (%rsp), %rcx
    mov 16(%rsp), %r11
    mov 24(%rsp), %rsp
    swapgs
    sysretq

/* switch_to(&old->ksp, new->ksp): callee-saved registers stay on the old stack. */
    .globl switch_to
switch_to:
    push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
    ret

/* copy_user(dst, src, n): a copy from or to user memory that may fault; the #PF handler
 * resumes a fault at copy_user_insn at copy_user_fault. Returns 0 or -EFAULT. */
    .globl copy_user, copy_user_insn, copy_user_fault
copy_user:
    mov %rdx, %rcx
copy_user_insn:
    rep movsb
    xor %eax, %eax
    ret
copy_user_fault:
    mov $-14, %rax
    ret

/* A new thread's first switch returns here: finish the switch, then enter user mode. */
    .globl thread_start
thread_start:
    call sched_tail
    jmp ret_from_intr

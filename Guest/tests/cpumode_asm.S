/* cpumode's assembly: the 32-bit protected-mode work done before long mode (boot32_hook), the
 * compatibility-mode round trip, the fault sites (each at a label so the handler's RIP can be
 * printed as an offset) and the CPL 3 code for IRETQ, SYSCALL/SYSRET and privilege checks. */
    .text
    .code32
/* rec: append EAX and EFLAGS to r32 (flags and registers preserved) */
rec:
    pushfl
    pushl %ebx
    pushl %edx
    movl r32_n, %ebx
    movl %eax, r32(,%ebx,8)
    movl 8(%esp), %edx
    movl %edx, r32+4(,%ebx,8)
    incl r32_n
    popl %edx
    popl %ebx
    popfl
    ret

/* run one faulting instruction and record what the 32-bit handler saw */
.macro fault32 insn
    movl $1f, fault32_resume
0:  \insn
1:  movl fault32_vector, %eax
    call rec
    movl fault32_error, %eax
    call rec
    movl fault32_eip, %eax
    subl $0b, %eax
    call rec
.endm

    .globl boot32_hook
boot32_hook:
    push %ebx
    push %esi
    /* 0: CR0 as multiboot leaves it (only PE and PG are defined: PE=1, PG=0) */
    mov %cr0, %eax
    and $0x80000001, %eax
    call rec
    /* 1-2: our flat data segment: LSL gives the byte-granular limit, LAR the access rights */
    mov $0x10, %ecx
    lsl %ecx, %eax
    call rec
    lar %ecx, %eax
    call rec
    /* 3: 0x7FFFFFFF + 1 overflows */
    mov $0x7FFFFFFF, %eax
    add $1, %eax
    call rec
    /* 4: 0 - 1 borrows */
    xor %eax, %eax
    sub $1, %eax
    call rec
    /* 5-6: unsigned 32x32 -> 64 multiply: EAX then EDX */
    mov $0x12345678, %eax
    mov $0x9ABCDEF0, %ecx
    mul %ecx
    call rec
    mov %edx, %eax
    call rec
    /* 7-8: 64/32 divide: quotient then remainder */
    mov $0x00000001, %edx
    mov $0x00000005, %eax
    mov $7, %ecx
    div %ecx
    call rec
    mov %edx, %eax
    call rec
    /* 9: signed multiply */
    mov $-3, %eax
    mov $7, %ecx
    imul %ecx, %eax
    call rec
    /* 10: shift left by 4: CF is the last bit out */
    mov $0x87654321, %eax
    shl $4, %eax
    call rec
    /* 11: rotate through carry */
    stc
    mov $0x80000000, %eax
    rcl $1, %eax
    call rec
    /* 12: add with carry chain */
    stc
    mov $0xFFFFFFFF, %eax
    adc $0, %eax
    call rec
    /* 13: bit scan reverse */
    mov $0x00012000, %ecx
    bsr %ecx, %eax
    call rec
    /* 14: byte swap */
    mov $0x11223344, %eax
    bswap %eax
    call rec
    /* 15: logical and */
    mov $0xF0F0F0F0, %eax
    and $0x0F0F0F0F, %eax
    call rec
    /* 16: string op: REP STOSB of 5 bytes moves EDI by 5 */
    mov $scratch32, %edi
    mov %edi, %esi
    mov $5, %ecx
    mov $0xAB, %al
    rep stosb
    mov %edi, %eax
    sub %esi, %eax
    call rec
    /* 17: the stored bytes, read back as a dword */
    mov scratch32, %eax
    call rec
    /* 18-32: exceptions in protected mode through the library's 32-bit IDT: vector, error code and
     * EIP relative to the faulting instruction, three records each */
    call idt32_init
    fault32 ud2
    mov $100, %eax
    xor %edx, %edx
    xor %ecx, %ecx
    fault32 "div %ecx"
    fault32 int3
    mov $0x98, %eax
    fault32 "mov %ax, %ds"              /* beyond the GDT limit: #GP(0x98) */
    fault32 "int $0x81"                 /* beyond the IDT limit: #GP(0x81 * 8 + 2) */
    pop %esi
    pop %ebx
    ret

    .code64
/* uint32_t compat_round_trip(void): far return from 64-bit code into the 32-bit code segment
 * (compatibility mode), do 32-bit work there, far jump back into 64-bit mode. */
    .globl compat_round_trip
compat_round_trip:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, saved_rsp(%rip)
    pushq $0x18
    lea compat_code(%rip), %rax
    push %rax
    lretq
    .code32
compat_code:
    mov %cs, %eax
    mov %eax, compat_cs
    mov %esp, %ecx              /* PUSH in a 32-bit segment moves ESP by 4 */
    push %eax
    mov %esp, %edx
    pop %eax
    sub %edx, %ecx
    mov %ecx, compat_push_size
    mov $5, %eax
    .byte 0x40                  /* INC EAX here; a REX prefix in 64-bit mode */
    mov %eax, compat_inc
    ljmp $0x08, $back_to_64
    .code64
back_to_64:
    mov saved_rsp(%rip), %rsp
    mov %cs, %eax
    mov %eax, back_cs(%rip)
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* fault sites */
    .globl fault_int3, at_int3
fault_int3:
at_int3:
    int3
    ret
    .globl fault_ud, at_ud
fault_ud:
at_ud:
    ud2
    ret
    .globl fault_de, at_de
fault_de:
    mov $100, %eax
    xor %edx, %edx
    xor %ecx, %ecx
at_de:
    div %ecx
    ret
    .globl fault_gp_noncanonical, at_gp_noncanonical
fault_gp_noncanonical:
    movabs $0x8000000000000000, %rax
at_gp_noncanonical:
    mov (%rax), %rax
    ret
    .globl fault_gp_selector, at_gp_selector
fault_gp_selector:
    mov $0x98, %eax             /* beyond the GDT limit: #GP with the selector as error code */
at_gp_selector:
    mov %ax, %ds
    ret

/* CPL 3: check where IRETQ landed, SYSCALL, check where SYSRET landed, leave with INT 0x80 */
    .globl user_syscall, at_syscall
user_syscall:
    mov %cs, %eax
    mov %eax, u_cs_iret(%rip)
    mov %ss, %eax
    mov %eax, u_ss_iret(%rip)
    mov $41, %eax
    cmp $41, %eax               /* ZF PF */
    stc                         /* CF and DF: FMASK clears them in the kernel */
    std
at_syscall:
    syscall
    pushfq
    pop %rbx
    mov %rbx, u_flags_sysret(%rip)
    cld
    mov %eax, u_rax_sysret(%rip)
    mov %cs, %eax
    mov %eax, u_cs_sysret(%rip)
    mov %ss, %eax
    mov %eax, u_ss_sysret(%rip)
    int $0x80

/* SYSCALL lands here at CPL 0, still on the user stack */
    .globl syscall_entry
syscall_entry:
    mov %cs, %ebx
    mov %ebx, k_cs(%rip)
    mov %ss, %ebx
    mov %ebx, k_ss(%rip)
    mov %rcx, k_rcx(%rip)
    mov %r11, k_r11(%rip)
    pushfq
    pop %rbx
    mov %rbx, k_rflags(%rip)
    add $1, %eax
    sysretq

    .globl user_hlt, at_user_hlt
user_hlt:
at_user_hlt:
    hlt
    int $0x80
    .globl user_in, at_user_in
user_in:
at_user_in:
    in $0x80, %al               /* IOPL 0 and no I/O bitmap: #GP(0) (SDM Vol. 1, 19.5) */
    int $0x80
    .globl user_int81, at_user_int81
user_int81:
at_user_int81:
    int $0x81                   /* gate DPL 0 < CPL 3: #GP(vector * 8 + 2) (SDM Vol. 3A, 6.12.1.1) */
    int $0x80
    .globl user_mov_cr, at_user_mov_cr
user_mov_cr:
at_user_mov_cr:
    mov %cr0, %rax
    int $0x80

    .data
    .align 8
    .globl r32, r32_n
r32: .space 8 * 64
r32_n: .long 0
scratch32: .long 0, 0
saved_rsp: .quad 0
    .globl compat_cs, compat_push_size, compat_inc, back_cs
compat_cs: .long 0
compat_push_size: .long 0
compat_inc: .long 0
back_cs: .long 0
    .globl u_cs_iret, u_ss_iret, u_flags_sysret, u_rax_sysret, u_cs_sysret, u_ss_sysret
u_cs_iret: .long 0
u_ss_iret: .long 0
u_rax_sysret: .long 0
u_cs_sysret: .long 0
u_ss_sysret: .long 0
    .align 8
u_flags_sysret: .quad 0
    .globl k_cs, k_ss, k_rcx, k_r11, k_rflags
k_cs: .long 0
k_ss: .long 0
k_rcx: .quad 0
k_r11: .quad 0
k_rflags: .quad 0

// The kernel's guest code for linux/amd64: boot-time MSR setup and the SYSCALL entry path,
// as Linux's arch/x86/kernel/cpu/common.c (syscall_init) and arch/x86/entry/entry_64.S
// (entry_SYSCALL_64) do it. Linked as a supervisor object: ring 3 cannot read or run it.
//
// Per-CPU area (entry_percpu for the boot CPU, one per CPU given to syscall_init for the
// others; reached through GS while in the kernel):
//	0(GS)	the user stack pointer, saved on entry
//	8(GS)	top of the current thread's kernel stack; the machine rewrites it when it
//		switches threads (syscall_init points it at a boot stack)
//
// pt_regs (built on the kernel stack, lowest address first, 8 bytes each, 168 in all):
//	r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss
// do_syscall_64(regs, nr) is bound to the host. It reads the number and the arguments from
// the frame and writes the result into regs->ax (and regs->dx when it has a second
// result); the exit path restores the user registers from the frame.

#include "textflag.h"

#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_FMASK	0xc0000084
#define MSR_GS_BASE	0xc0000101
#define EFER_SCE	1
#define USER_CS		0x33
#define USER_DS		0x2b
#define ENOSYS		38
#define PERCPU_user_sp		0
#define PERCPU_top_of_stack	8
#define BOOT_STACK_SIZE	16384

GLOBL entry_percpu(SB), NOPTR, $64
GLOBL entry_boot_stack<>(SB), NOPTR, $BOOT_STACK_SIZE

// syscall_init runs in ring 0 on each CPU with DI = the user entry point, SI = the user
// stack pointer and DX = this CPU's per-CPU area (its top-of-stack slot already set), or 0
// for the boot CPU, which gets entry_percpu and a boot kernel stack. It programs LSTAR,
// STAR and FMASK, sets EFER.SCE, points GS at the per-CPU area and enters ring 3 at DI
// with SYSRET (RFLAGS = IF).
TEXT syscall_init(SB),NOSPLIT|NOFRAME,$0
	MOVQ	DX, R8		// WRMSR takes DX
	// MSR_LSTAR = entry_SYSCALL_64
	MOVQ	$entry_SYSCALL_64(SB), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$MSR_LSTAR, CX
	WRMSR
	// MSR_STAR: SYSRET loads CS from bits 48..63 (+16), SYSCALL from bits 32..47.
	MOVL	$0, AX
	MOVL	$0x00230010, DX
	MOVL	$MSR_STAR, CX
	WRMSR
	// MSR_FMASK: clear TF, DF, IF, IOPL, NT and AC on entry.
	MOVL	$0x47700, AX
	MOVL	$0, DX
	MOVL	$MSR_FMASK, CX
	WRMSR
	// EFER.SCE enables SYSCALL/SYSRET.
	MOVL	$MSR_EFER, CX
	RDMSR
	ORL	$EFER_SCE, AX
	WRMSR
	// MSR_GS_BASE = the per-CPU area.
	MOVQ	R8, AX
	TESTQ	AX, AX
	JNE	have_area
	MOVQ	$entry_percpu(SB), AX
	MOVQ	$entry_boot_stack<>+BOOT_STACK_SIZE(SB), DX
	MOVQ	DX, PERCPU_top_of_stack(AX)
have_area:
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$MSR_GS_BASE, CX
	WRMSR
	// To ring 3: SYSRET jumps to CX with RFLAGS from R11; SWAPGS leaves the per-CPU
	// pointer in KERNEL_GS_BASE for the next entry.
	MOVQ	DI, CX
	MOVQ	SI, SP
	MOVQ	$0x202, R11
	SWAPGS
	SYSRET

// entry_SYSCALL_64: SYSCALL lands here in ring 0 with RCX = user RIP, R11 = user RFLAGS,
// and the user's RSP still loaded.
TEXT entry_SYSCALL_64(SB),NOSPLIT|NOFRAME,$0
	SWAPGS
	MOVQ	SP, PERCPU_user_sp(GS)
	MOVQ	PERCPU_top_of_stack(GS), SP
	PUSHQ	$USER_DS	// ss
	PUSHQ	PERCPU_user_sp(GS)	// sp
	PUSHQ	R11		// flags
	PUSHQ	$USER_CS	// cs
	PUSHQ	CX		// ip
	PUSHQ	AX		// orig_ax
	PUSHQ	DI
	PUSHQ	SI
	PUSHQ	DX
	PUSHQ	CX
	PUSHQ	$-ENOSYS	// ax, until the handler sets it
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	BX
	PUSHQ	BP
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	MOVQ	SP, DI		// struct pt_regs *
	MOVQ	AX, SI		// nr
	CALL	do_syscall_64(SB)
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	BP
	POPQ	BX
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	AX
	POPQ	CX
	POPQ	DX
	POPQ	SI
	POPQ	DI
	ADDQ	$8, SP		// orig_ax
	POPQ	CX		// ip, for SYSRET
	ADDQ	$8, SP		// cs
	POPQ	R11		// flags, for SYSRET
	POPQ	SP		// the user stack
	SWAPGS
	SYSRET

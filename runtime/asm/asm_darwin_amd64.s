// The runtime side of darwin/amd64's system calls, in Go's ABI0: on macOS a Go program
// never executes SYSCALL itself; the syscall package's wrappers call these with the
// address of a libc trampoline (`JMP libc_open(SB)`), and they call that C function with
// the System V calling convention.
//
// func syscall_syscall(fn, a1, a2, a3 uintptr) (r1, r2, err uintptr)
// func syscall_syscall6(fn, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, err uintptr)
// func syscall_rawSyscall(fn, a1, a2, a3 uintptr) (r1, r2, err uintptr)
// func syscall_rawSyscall6(fn, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, err uintptr)
//
// C arguments go in DI, SI, DX, CX, R8, R9; the C result comes back in AX (and DX). A C
// function reports failure by returning -1 with the reason in errno, so when AX is -1 the
// stub asks libc_error (libSystem's __error) for errno's address and stores the 32-bit
// errno, sign-extended, in err; otherwise err = 0. r1 and r2 are AX and DX as returned.
// The syscall pair brackets the C call with runtime·entersyscall and runtime·exitsyscall;
// the raw pair never touches the scheduler. The frame is $0, so x+n(FP) stays valid across
// the C call: it returns with SP where it was.

#include "textflag.h"

TEXT ·syscall_syscall(SB),NOSPLIT,$0-56
	CALL	runtime·entersyscall(SB)
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	fn+0(FP), AX
	CALL	AX
	MOVQ	AX, r1+32(FP)
	MOVQ	DX, r2+40(FP)
	MOVQ	$0, err+48(FP)
	CMPQ	AX, $-1
	JNE	ok
	CALL	libc_error(SB)
	MOVLQSX	(AX), AX
	MOVQ	AX, err+48(FP)
ok:
	CALL	runtime·exitsyscall(SB)
	RET

TEXT ·syscall_syscall6(SB),NOSPLIT,$0-80
	CALL	runtime·entersyscall(SB)
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	a4+32(FP), CX
	MOVQ	a5+40(FP), R8
	MOVQ	a6+48(FP), R9
	MOVQ	fn+0(FP), AX
	CALL	AX
	MOVQ	AX, r1+56(FP)
	MOVQ	DX, r2+64(FP)
	MOVQ	$0, err+72(FP)
	CMPQ	AX, $-1
	JNE	ok6
	CALL	libc_error(SB)
	MOVLQSX	(AX), AX
	MOVQ	AX, err+72(FP)
ok6:
	CALL	runtime·exitsyscall(SB)
	RET

TEXT ·syscall_rawSyscall(SB),NOSPLIT,$0-56
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	fn+0(FP), AX
	CALL	AX
	MOVQ	AX, r1+32(FP)
	MOVQ	DX, r2+40(FP)
	MOVQ	$0, err+48(FP)
	CMPQ	AX, $-1
	JNE	ok1
	CALL	libc_error(SB)
	MOVLQSX	(AX), AX
	MOVQ	AX, err+48(FP)
ok1:
	RET

TEXT ·syscall_rawSyscall6(SB),NOSPLIT,$0-80
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	a4+32(FP), CX
	MOVQ	a5+40(FP), R8
	MOVQ	a6+48(FP), R9
	MOVQ	fn+0(FP), AX
	CALL	AX
	MOVQ	AX, r1+56(FP)
	MOVQ	DX, r2+64(FP)
	MOVQ	$0, err+72(FP)
	CMPQ	AX, $-1
	JNE	ok2
	CALL	libc_error(SB)
	MOVLQSX	(AX), AX
	MOVQ	AX, err+72(FP)
ok2:
	RET

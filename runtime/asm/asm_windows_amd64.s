// The runtime side of windows/amd64's system calls: a Go program on Windows never traps
// into the kernel itself; it calls exported procedures of system DLLs (kernel32.dll)
// through asmstdcall, which speaks the Windows x64 calling convention.
//
// A call is described by a libcall record (windows_amd64.ts, LIBCALL), as in Go's runtime:
//   fn    0   the procedure's address (a LazyProc's Addr)
//   n     8   the number of argument words
//   args 16   the address of the n argument words
//   r1   24   out: RAX as the procedure returned it
//   r2   32   out: 0 (Go stores XMM0 here for floating-point results; this CPU has no SSE)
//   err  40   out: the thread's last error after the call
//
// asmstdcall(c *libcall in CX): remembers SP, aligns it down to 16 bytes, keeps c and the
// old SP in the two words above the argument area, reserves MAXARGS (42) words, copies the
// n arguments to the bottom of that area and loads the first four into CX, DX, R8 and R9.
// The first four stack words are then the callee's 32-byte shadow space (which it may
// overwrite) and argument 5 onwards sit just above it, at 32(SP), 40(SP), … before the
// CALL, which leaves SP 16-byte aligned at the call as the convention requires. Like Go,
// it clears the last error in the TEB before the call, so a procedure that succeeds
// without setting it reports 0, and reads it back afterwards: the TEB is at 0x30(GS)
// (its Self field), LastErrorValue at offset 0x68 in it. More than MAXARGS arguments
// stop the program with INT $3.
//
// syscall_SyscallN(c *libcall) is what Go's syscall.SyscallN amounts to once it has built
// the libcall: cgocall brackets asmstdcall with entersyscall and exitsyscall, so the
// scheduler can hand the P to another M while the thread is inside the DLL.

#include "textflag.h"

#define MAXARGS 42

TEXT runtime·asmstdcall(SB),NOSPLIT|NOFRAME,$0
	MOVQ	SP, AX
	ANDQ	$~15, SP
	SUBQ	$16, SP
	MOVQ	AX, 8(SP)
	MOVQ	CX, 0(SP)
	MOVQ	0(CX), AX
	MOVQ	16(CX), SI
	MOVQ	8(CX), CX
	MOVQ	0x30(GS), DI
	MOVL	$0, 0x68(DI)
	SUBQ	$(MAXARGS*8), SP
	CMPQ	CX, $MAXARGS
	JLS	room
	INT	$3
room:
	MOVQ	SP, DI
	TESTQ	CX, CX
	JEQ	loaded
copy:
	MOVQ	(SI), R10
	MOVQ	R10, (DI)
	ADDQ	$8, SI
	ADDQ	$8, DI
	DECQ	CX
	JNE	copy
loaded:
	MOVQ	0(SP), CX
	MOVQ	8(SP), DX
	MOVQ	16(SP), R8
	MOVQ	24(SP), R9
	CALL	AX
	ADDQ	$(MAXARGS*8), SP
	MOVQ	0(SP), CX
	MOVQ	8(SP), SP
	MOVQ	AX, 24(CX)
	MOVQ	$0, 32(CX)
	MOVQ	0x30(GS), DI
	MOVL	0x68(DI), AX
	MOVQ	AX, 40(CX)
	RET

TEXT runtime·syscall_SyscallN(SB),NOSPLIT,$0-8
	CALL	runtime·entersyscall(SB)
	MOVQ	c+0(FP), CX
	CALL	runtime·asmstdcall(SB)
	CALL	runtime·exitsyscall(SB)
	RET

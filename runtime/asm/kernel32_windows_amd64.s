// The emulated kernel32.dll: one exported procedure per TEXT symbol (package kernel32),
// called with the Windows x64 convention (RCX, RDX, R8, R9, then the stack above the
// 32-byte shadow space; result in RAX).
//
// As on Windows, where most kernel32 exports are thin forwards into KernelBase.dll, each
// procedure jumps to its kernelbase·Name symbol, which the machine binds to the host
// (runtime/kernel/windows: WindowsKernel.call), so every call is seen by the tracer. A JMP,
// not a CALL: the host finds the caller's return address at 0(SP), the stack arguments at
// 40(SP) on, and returns straight to the caller. The last error the host sets lives in
// the thread's TEB (LastErrorValue at 0x68, the TEB at 0x30(GS)), where asmstdcall reads
// it after the call.
//
// Invariant: the TEXT symbols here are the procedures WindowsKernel exports (a test checks).

#include "textflag.h"

TEXT ·CloseHandle(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·CloseHandle(SB)

TEXT ·CreateFileW(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·CreateFileW(SB)

TEXT ·CreatePipe(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·CreatePipe(SB)

TEXT ·CreateThread(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·CreateThread(SB)

TEXT ·ExitProcess(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·ExitProcess(SB)

TEXT ·GetCurrentProcess(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·GetCurrentProcess(SB)

TEXT ·GetCurrentProcessId(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·GetCurrentProcessId(SB)

TEXT ·GetLastError(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·GetLastError(SB)

TEXT ·GetStdHandle(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·GetStdHandle(SB)

TEXT ·IsWow64Process(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·IsWow64Process(SB)

TEXT ·ReadFile(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·ReadFile(SB)

TEXT ·SetFilePointer(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·SetFilePointer(SB)

TEXT ·SetFilePointerEx(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·SetFilePointerEx(SB)

TEXT ·SetLastError(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·SetLastError(SB)

TEXT ·Sleep(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·Sleep(SB)

TEXT ·WriteFile(SB),NOSPLIT|NOFRAME,$0
	JMP	kernelbase·WriteFile(SB)

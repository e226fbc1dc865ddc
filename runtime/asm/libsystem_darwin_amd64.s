// An emulated libSystem for darwin/amd64: the C functions Go's trampolines jump to
// (`JMP libc_open(SB)`), each a few instructions of user code that trap into the XNU
// personality exactly as Apple's libsystem_kernel does:
//
//	MOVL	$(SYSCALL_CLASS_UNIX|SYS_x), AX	// class 2 (BSD) in bits 24..31, the number below
//	MOVQ	CX, R10				// C's fourth argument; SYSCALL overwrites CX
//	SYSCALL
//	JCS	cerror<>(SB)			// carry set: AX is the errno
//	RET
//
// cerror stores the errno in the calling thread's errno slot and returns -1 (AX and DX) to
// the C caller; libc_error (__error) returns that slot's address. pipe stores the two
// descriptors XNU returns in AX and DX into the caller's int[2] and returns 0.
//
// errno is per thread, as on macOS: GS points at the thread's thread-specific data (TSD)
// block, whose first word holds the block's own address and whose second is errno. The
// machine gives each thread its block by writing MSR_KERNEL_GS_BASE before syscall_init,
// whose SWAPGS makes it the user GS base (darwin_amd64.ts, DARWIN_TSD).

#include "textflag.h"

#define SYSCALL_CLASS_UNIX	0x2000000
#define TSD_SELF	0
#define TSD_ERRNO	8
#define SYS_close	6
#define SYS_dup	41
#define SYS_dup2	90
#define SYS_exit	1
#define SYS_fstat64	339
#define SYS_getegid	43
#define SYS_geteuid	25
#define SYS_getgid	47
#define SYS_getpid	20
#define SYS_getuid	24
#define SYS_kill	37
#define SYS_lseek	199
#define SYS_mkdir	136
#define SYS_mmap	197
#define SYS_munmap	73
#define SYS_open	5
#define SYS_openat	463
#define SYS_pread	153
#define SYS_pwrite	154
#define SYS_read	3
#define SYS_unlink	10
#define SYS_write	4
#define SYS_pipe	42

// int *__error(void)
TEXT libc_error(SB),NOSPLIT|NOFRAME,$0
	MOVQ	TSD_SELF(GS), AX
	ADDQ	$TSD_ERRNO, AX
	RET

TEXT cerror<>(SB),NOSPLIT|NOFRAME,$0
	MOVL	AX, TSD_ERRNO(GS)
	MOVQ	$-1, AX
	MOVQ	$-1, DX
	RET

// int pipe(int fds[2])
TEXT libc_pipe(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_pipe), AX
	SYSCALL
	JCS	cerror<>(SB)
	MOVL	AX, 0(DI)
	MOVL	DX, 4(DI)
	MOVL	$0, AX
	RET

TEXT libc_close(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_close), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_dup(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_dup), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_dup2(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_dup2), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_exit(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_exit), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_fstat64(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_fstat64), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_getegid(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_getegid), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_geteuid(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_geteuid), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_getgid(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_getgid), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_getpid(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_getpid), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_getuid(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_getuid), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_kill(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_kill), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_lseek(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_lseek), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_mkdir(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_mkdir), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_mmap(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_mmap), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_munmap(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_munmap), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_open(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_open), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_openat(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_openat), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_pread(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_pread), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_pwrite(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_pwrite), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_read(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_read), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_unlink(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_unlink), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

TEXT libc_write(SB),NOSPLIT|NOFRAME,$0
	MOVL	$(SYSCALL_CLASS_UNIX|SYS_write), AX
	MOVQ	CX, R10
	SYSCALL
	JCS	cerror<>(SB)
	RET

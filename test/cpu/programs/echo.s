# echo.s: prints its arguments one per line, then the number of environment strings, using
# write and writev; exits with status 17. Built with `as` + `ld -static`; run natively and
# under `mksyscall exec`, the outputs must match.
	.globl _start
	.text
_start:
	movq (%rsp), %r12          # argc
	leaq 8(%rsp), %r13         # argv
	xorl %r14d, %r14d
1:	cmpq %r12, %r14
	je 2f
	movq (%r13,%r14,8), %rdi
	call puts
	incq %r14
	jmp 1b
2:	leaq 16(%rsp,%r12,8), %rbx # envp
	xorl %ecx, %ecx
3:	cmpq $0, (%rbx,%rcx,8)
	je 4f
	incq %rcx
	jmp 3b
4:	leaq digits(%rip), %rsi    # one decimal digit (mod 10) of the count, then a newline
	movq %rcx, %rax
	xorl %edx, %edx
	movl $10, %r8d
	divq %r8
	addb $'0', %dl
	movb %dl, (%rsi)
	movb $10, 1(%rsi)
	movl $1, %edi
	movl $2, %edx
	movl $1, %eax
	syscall
	movl $60, %eax
	movl $17, %edi
	syscall

# puts(rdi): writev(1, {s, strlen(s)}, {"\n", 1})
puts:
	movq %rdi, %rsi
	xorl %eax, %eax
5:	cmpb $0, (%rsi,%rax)
	je 6f
	incq %rax
	jmp 5b
6:	leaq iov(%rip), %rsi
	movq %rdi, (%rsi)
	movq %rax, 8(%rsi)
	movl $1, %edi
	movl $2, %edx
	movl $20, %eax
	syscall
	ret

	.data
newline: .byte 10
	.balign 8
iov:	.quad 0, 0, newline, 1
digits:	.byte 0, 0

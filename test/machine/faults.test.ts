// Guest faults on the machine: user code that runs a privileged instruction, touches an
// unmapped page or executes an undefined opcode kills the process with the signal Linux
// sends (#GP and #PF → SIGSEGV, #UD → SIGILL), and the run reports RIP, the instruction and
// the address; the host never sees an exception.
import { describe, expect, it } from 'vitest';
import { target } from '../../generated/target_linux_amd64.ts';
import { SYS_GETPID, SYS_MPROTECT, SYS_MUNMAP } from '../../generated/zsysnum_linux_amd64.ts';
import { Machine, Syscall } from '../../runtime/index.ts';

const GUEST = `
TEXT ·privileged(SB),NOSPLIT,$0-0
	WRMSR
	RET

TEXT ·halt(SB),NOSPLIT,$0-0
	HLT
	RET

TEXT ·wild(SB),NOSPLIT,$0-0
	MOVQ	$0xdead0000, AX
	MOVQ	(AX), BX
	RET

TEXT ·int80(SB),NOSPLIT,$0-0
	INT	$0x80
	RET

TEXT ·undefined(SB),NOSPLIT,$0-0
	UD2
	RET
`;

function crash(fn: string) {
  const m = new Machine({ target, strace: true, asm: [{ source: GUEST, file: 'guest.s' }] });
  let after = false;
  const result = m.run(function* () {
    yield* m.guestCall(`main·${fn}`, [], 0);
    after = true;
  });
  return { result, after, at: m.image.addressOf(`main·${fn}`) };
}

/** An address as the fault messages print it (upper-half addresses as 64-bit unsigned). */
function hex(addr: number): string {
  return '0x' + BigInt.asUintN(64, BigInt(addr)).toString(16);
}

describe('guest faults become signals', () => {
  it('a privileged instruction in ring 3 is #GP: SIGSEGV', () => {
    const { result, after, at } = crash('privileged');
    expect(after).toBe(false);
    expect(result.signal).toBe('SIGSEGV');
    expect(result.status).toBe(128 + 11);
    expect(result.fault).toBe(`#GP at rip=${hex(at)} (wrmsr)`);
    // sysmon's thread (tid 101) dies with the process; the group leader is reported last.
    expect(result.strace).toBe(
      'clone(child_stack=0x201010000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 101\n' +
        '[pid   100] --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL} ---\n[pid   101] +++ killed by SIGSEGV +++\n+++ killed by SIGSEGV +++\n',
    );
  });

  it('HLT in ring 3 is #GP too', () => {
    const { result, at } = crash('halt');
    expect(result.signal).toBe('SIGSEGV');
    expect(result.fault).toBe(`#GP at rip=${hex(at)} (hlt)`);
  });

  it('a load from an unmapped page is #PF: SIGSEGV naming the address', () => {
    const { result, at } = crash('wild');
    expect(result.signal).toBe('SIGSEGV');
    // The load follows the 10-byte movabs of the address.
    expect(result.fault).toMatch(new RegExp(`^#PF at rip=${hex(at + 10)} \\(mov\\s+\\(%rax\\),%rbx\\) addr=0xdead0000$`));
  });

  it('INT $0x80 has no gate for ring 3: #GP, SIGSEGV', () => {
    const { result, at } = crash('int80');
    expect(result.signal).toBe('SIGSEGV');
    expect(result.fault).toBe(`#GP at rip=${hex(at)} (int    $0x80)`);
  });

  it('UD2 is #UD: SIGILL', () => {
    const { result, at } = crash('undefined');
    expect(result.signal).toBe('SIGILL');
    expect(result.status).toBe(128 + 4);
    expect(result.fault).toBe(`#UD at rip=${hex(at)} (ud2)`);
  });
});

describe('the program cannot pull the machine from under itself', () => {
  it('munmap and mprotect cannot reach the stubs, the entry code or the kernel stacks (upper half)', () => {
    const m = new Machine({ target });
    let results: unknown[] = [];
    const result = m.run(function* () {
      const image = m.image.addressOf('syscall·Syscall');
      const kstack = m.threads[0]!.kernelStackTop - 4096;
      results = [
        yield* Syscall(SYS_MUNMAP, image, 4096, 0),
        yield* Syscall(SYS_MPROTECT, kstack, 4096, 0),
        yield* Syscall(SYS_GETPID, 0, 0, 0),
      ];
    });
    expect(results).toEqual([[-1, 0, 22], [-1, 0, expect.any(Number)], [100, 0, 0]]); // EINVAL; the kernel's errno for a kernel-half mprotect
    expect((results[1] as number[])[2]).not.toBe(0);
    expect(result.status).toBe(0);
  });

  it('a program that unmaps its own stack dies of SIGSEGV at its next call', () => {
    const m = new Machine({ target });
    let after = false;
    const result = m.run(function* () {
      const th = m.threads[0]!;
      yield* Syscall(SYS_MUNMAP, th.userStackTop - 0x1_0000, 0x1_0000, 0);
      yield* Syscall(SYS_GETPID, 0, 0, 0);
      after = true;
    });
    expect(after).toBe(false);
    expect(result.signal).toBe('SIGSEGV');
    expect(result.fault).toMatch(/^#PF at rip=0x[0-9a-f]+ .*addr=0x2000/);
  });
});

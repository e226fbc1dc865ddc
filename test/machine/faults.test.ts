// Guest faults on the machine: user code that runs a privileged instruction, touches an
// unmapped page or executes an undefined opcode kills the process with the signal Linux
// sends (#GP and #PF → SIGSEGV, #UD → SIGILL), and the run reports RIP, the instruction and
// the address; the host never sees an exception.
import { describe, expect, it } from 'vitest';
import { target } from '../../generated/target_linux_amd64.ts';
import { Machine } from '../../runtime/index.ts';

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

describe('guest faults become signals', () => {
  it('a privileged instruction in ring 3 is #GP: SIGSEGV', () => {
    const { result, after, at } = crash('privileged');
    expect(after).toBe(false);
    expect(result.signal).toBe('SIGSEGV');
    expect(result.status).toBe(128 + 11);
    expect(result.fault).toBe(`#GP at rip=0x${at.toString(16)} (wrmsr)`);
    expect(result.strace).toBe('--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL} ---\n+++ killed by SIGSEGV +++\n');
  });

  it('HLT in ring 3 is #GP too', () => {
    const { result, at } = crash('halt');
    expect(result.signal).toBe('SIGSEGV');
    expect(result.fault).toBe(`#GP at rip=0x${at.toString(16)} (hlt)`);
  });

  it('a load from an unmapped page is #PF: SIGSEGV naming the address', () => {
    const { result, at } = crash('wild');
    expect(result.signal).toBe('SIGSEGV');
    const m = /^#PF at rip=0x([0-9a-f]+) \(mov\s+\(%rax\),%rbx\) addr=0xdead0000$/.exec(result.fault ?? '');
    expect(m, result.fault ?? 'no fault').not.toBeNull();
    expect(parseInt(m![1]!, 16) - at).toBe(10); // after the 10-byte movabs of the address
  });

  it('INT $0x80 has no gate for ring 3: #GP, SIGSEGV', () => {
    const { result, at } = crash('int80');
    expect(result.signal).toBe('SIGSEGV');
    expect(result.fault).toBe(`#GP at rip=0x${at.toString(16)} (int    $0x80)`);
  });

  it('UD2 is #UD: SIGILL', () => {
    const { result, at } = crash('undefined');
    expect(result.signal).toBe('SIGILL');
    expect(result.status).toBe(128 + 4);
    expect(result.fault).toBe(`#UD at rip=0x${at.toString(16)} (ud2)`);
  });
});

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FORMS, decode, disassemble, formsOf, opcodeBytes, CpuFault, Truncated } from '../../runtime/cpu/index.ts';
import { hex } from './core-helpers.ts';

function have(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const haveTools = have('as') && have('objdump') && have('objcopy');

// One line per instruction form family; objdump's rendering is the oracle.
const SAMPLE = `
add %eax,(%rbx)
addl $1,(%rax)
addq $0x12345,0x10(%rax,%rbx,4)
adc $-1,%al
sbb %r9w,%r10w
and $0x7f,%r11b
or (%rsp),%rbp
xor %esi,%esi
cmp $-0x80,%rax
test %al,%al
testb $1,(%rax)
test $0x100,%ax
push %rax
push %r12
push $1
push $0x1234
pushq (%rax)
pushw $1
pop %rbx
popq 8(%rsp)
movzbl %al,%eax
movzwl (%rax),%eax
movsbq %al,%rax
movslq %eax,%rax
movswq -4(%rbp),%rcx
cwtl
cltq
cqto
cltd
cbtw
cwtd
lea 0x10(%rip),%rax
lea -0x10(%rip),%rax
mov 0x10(%rip),%eax
lea (%rax,%rbx,8),%rdx
lea 0x0(,%rcx,4),%edx
movabs $0x1122334455667788,%rax
movabs 0x1122334455667788,%al
movabs %eax,0x10
mov $-1,%rax
mov $0x12,%r15d
mov $0x1234,%bx
mov %sil,%al
mov %ah,%al
movb $1,(%rax)
movw $0x1234,(%rax)
movq $-1,(%rax)
call *%rax
call *(%rax)
jmp *%rax
jmp *0x8(%rax,%rcx,8)
ret
ret $8
leave
enter $0x10,$0
shl %eax
shl $3,%eax
shll %cl,(%rax)
sar %cl,%r8
shr $1,%rbx
rol $3,%bl
ror %cl,%dx
rcl %eax
rcr $5,%r9d
shld $3,%eax,%ebx
shrd %cl,%rax,%rbx
rep movsb
rep movsq
rep stosq
stosb
repz cmpsb
repnz scasb
lodsb
lodsl
xchg %rax,%rbx
xchg %r8d,%eax
xchg %ecx,(%rdx)
nop
nopw 0x0(%rax,%rax,1)
nopl (%rax)
nopl 0x0(%rax)
pause
endbr64
syscall
sysretq
sysretl
swapgs
hlt
rdtsc
cpuid
ud2
int3
int $0x80
wrmsr
rdmsr
sete %al
setne (%rax)
setg %r9b
cmove %eax,%ebx
cmovl (%rax),%r8
cmovaw %ax,%bx
bt %eax,%ebx
btl $3,(%rax)
bts %rax,(%rbx)
btr $5,%rcx
btc %ax,%dx
bsf %eax,%ebx
bsr (%rax),%rdx
bswap %eax
bswap %r11
cmpxchg8b (%rax)
cmpxchg16b (%rax)
cmpxchg %ecx,(%rdx)
lock cmpxchg %rcx,(%rdx)
lock addl $1,(%rax)
lock xadd %eax,(%rbx)
xadd %r8b,%r9b
imul %ebx
imul %ebx,%eax
imul $3,%ebx,%eax
imul $300,%ebx,%eax
imulq (%rax)
mulb %cl
divq (%rax)
idiv %ecx
negl (%rax)
not %r10
incl (%rax)
dec %r8b
inc %r12w
popcnt %eax,%ebx
tzcnt %rax,%rbx
lzcnt (%rax),%cx
xlat
mov %fs:0x28,%rax
mov %fs:(%rax),%rax
mov %gs:0x10,%eax
mov 0x10,%eax
mov (%rsp),%eax
mov (%r12),%eax
mov (%rbp),%eax
mov (%r13),%eax
mov 0x0(,%rax,8),%eax
mov (%eax),%eax
mov 0x10(%esp,%ecx,2),%eax
pushf
popf
pushfw
lahf
sahf
loop .+2
loope .+2
loopne .+2
jrcxz .+2
jecxz .+2
jmp .+0x80
jmp .-0x40
je .+2
jne .+0x100
ja .-0x1000
js .+0x10
call .+0x20
clc
stc
cmc
cld
std
cli
sti
mfence
lfence
sfence
`.trim().split('\n');

describe.skipIf(!haveTools)('disassembler against objdump -d' + (haveTools ? '' : ' (skipped: GNU as/objdump not found)'), () => {
  it('prints every sample line exactly as objdump does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'core-disasm-'));
    try {
      writeFileSync(join(dir, 's.s'), SAMPLE.join('\n') + '\n');
      execFileSync('as', [join(dir, 's.s'), '-o', join(dir, 's.o')], { stdio: 'pipe' });
      execFileSync('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 's.o'), join(dir, 's.bin')]);
      const text = readFileSync(join(dir, 's.bin'));
      const lines = execFileSync('objdump', ['-d', '--no-show-raw-insn', join(dir, 's.o')])
        .toString()
        .split('\n')
        .filter((l) => /^\s+[0-9a-f]+:\t/.test(l));
      expect(lines.length).toBe(SAMPLE.length);
      const mismatches: string[] = [];
      for (const l of lines) {
        const m = /^\s+([0-9a-f]+):\t(.*)$/.exec(l)!;
        const addr = parseInt(m[1]!, 16);
        const got = disassemble(text.subarray(addr, addr + 15), addr);
        const want = m[2]!.trimEnd();
        if (got?.text !== want) mismatches.push(`${want} | ${got?.text}`);
      }
      expect(mismatches).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decoder', () => {
  it('gets lengths right for ModRM/SIB/displacement/immediate combinations', () => {
    const cases: Array<[string, number]> = [
      ['48 01 d8', 3],
      ['8b 04 24', 3],
      ['8b 44 24 08', 4],
      ['8b 84 24 00 01 00 00', 7],
      ['8b 05 00 00 00 00', 6],
      ['8b 04 25 00 00 00 00', 7],
      ['48 c7 c0 ff ff ff ff', 7],
      ['48 b8 01 02 03 04 05 06 07 08', 10],
      ['66 b8 34 12', 4],
      ['66 41 81 c0 34 12', 6],
      ['c8 10 00 01', 4],
      ['0f 85 00 00 00 00', 6],
      ['a0 01 02 03 04 05 06 07 08', 9],
      ['67 a0 01 02 03 04', 6],
      ['f3 48 ab', 3],
      ['f0 48 0f c7 0e', 5],
    ];
    for (const [bytes, len] of cases) expect(disassemble(hex(bytes), 0)?.length, bytes).toBe(len);
  });

  it('rejects undefined encodings (#UD) and reports truncation separately', () => {
    for (const bytes of ['0f 0f', '8d c0', '0f c7 c8', 'ff f8', 'd6', '0f 38 00 c0', '0f b8 c0', '62', 'c4 e2 79 f7 c0']) {
      expect(() => decode(hex(bytes), 0, hex(bytes).length, 0), bytes).toThrow(CpuFault);
    }
    let e: unknown;
    try {
      decode(hex('48 b8 01 02'), 0, 4, 0);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(Truncated);
  });

  it('0x66 ENTER/LEAVE are the 16-bit forms', () => {
    expect(disassemble(hex('66 c9'), 0)?.text).toBe('leavew');
    expect(disassemble(hex('66 c8 10 00 01'), 0)?.text).toBe('enterw $0x10,$0x1');
  });

  it('REX followed by a legacy prefix is ignored; the last REX counts', () => {
    expect(disassemble(hex('48 66 01 c0'), 0)?.text).toBe('add    %ax,%ax');
    expect(disassemble(hex('40 48 01 c0'), 0)?.text).toBe('add    %rax,%rax');
  });

  it('decodes or rejects any byte string without throwing anything else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (bytes) => {
        const r = disassemble(bytes, 0x1000);
        if (r !== null) {
          expect(r.length).toBeGreaterThan(0);
          expect(r.length).toBeLessThanOrEqual(Math.min(15, bytes.length));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('instruction table', () => {
  it('has one form per (map, opcode, prefix, extension, ModRM byte, operand size)', () => {
    const seen = new Map<string, string>();
    for (const f of FORMS) {
      const mem = f.operands.some((o) => o.kind === 'mem') ? 'm' : f.operands.some((o) => o.kind === 'regonly') ? 'r' : '';
      const key = `${f.map}:${f.opcode}:${f.prefix ?? ''}:${f.ext ?? ''}:${f.modrmByte ?? ''}:${f.osz}:${mem}:${f.operands.map((o) => o.kind + o.size + (o.immSize ?? '')).join(',')}`;
      expect(seen.get(key), `${f.mnemonic} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, f.mnemonic);
    }
  });

  it('answers queries by mnemonic with encodable forms', () => {
    const adds = formsOf('add');
    expect(adds.length).toBe(19); // 4 byte forms + 5 opcodes × 3 operand sizes
    const r64 = adds.find((f) => f.opcode === 0x01 && f.size === 64)!;
    expect(r64.rexW).toBe(true);
    expect(r64.operands.map((o) => o.kind)).toEqual(['rm', 'reg']);
    expect(opcodeBytes(formsOf('swapgs')[0]!)).toEqual([0x0f, 0x01, 0xf8]);
    expect(opcodeBytes(formsOf('push').find((f) => f.opcode === 0x50)!, 3)).toEqual([0x53]);
    expect(formsOf('syscall')[0]!.privileged).toBe(false);
    expect(formsOf('wrmsr')[0]!.privileged).toBe(true);
    expect(formsOf('nosuch')).toEqual([]);
  });
});

// The differential corpus: Plan 9 instructions beside the AT&T instruction GNU `as` must
// encode to the same bytes. Cases are generated from operand patterns per mnemonic family,
// with an AT&T translation written independently of the assembler (Plan 9 and AT&T both
// put the source first, so only names, sizes and CMP's order differ). Each case is
// assembled inside `TEXT ·t(SB),NOSPLIT,$0-64`, so x+8(FP) is 16(%rsp).

export interface Case {
  plan9: string;
  att: string;
}

const SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };
const P9_SUFFIX: Record<number, string> = { 1: 'B', 2: 'W', 4: 'L', 8: 'Q' };
const NAMES64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
const P9 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];

/** AT&T name of hardware register n at a size. */
export function attReg(n: number, size: number): string {
  if (n >= 8) return `%r${n}${{ 1: 'b', 2: 'w', 4: 'd', 8: '' }[size]}`;
  const base = NAMES64[n]!.slice(1); // ax, cx, sp, si …
  if (size === 8) return `%r${base}`;
  if (size === 4) return `%e${base}`;
  if (size === 2) return `%${base}`;
  return n < 4 ? `%${base[0]}l` : `%${base}l`;
}

/** Memory operands: Plan 9 text and AT&T text. */
const MEMORY: Array<[string, string]> = [
  ['(BX)', '(%rbx)'],
  ['8(SP)', '8(%rsp)'],
  ['(BP)', '(%rbp)'],
  ['(R13)', '(%r13)'],
  ['-300(R12)(R13*4)', '-300(%r12,%r13,4)'],
  ['16(AX)(R8*8)', '16(%rax,%r8,8)'],
  ['runtime·x+8(SB)', 'runtime.x+8(%rip)'],
  ['runtime·tab(SB)(AX*8)', 'runtime.tab(,%rax,8)'],
  ['0x10(GS)', '%gs:0x10'],
  ['arg+8(FP)', '16(%rsp)'],
];

function reg(n: number, size: number): [string, string] {
  return [P9[n]!, attReg(n, size)];
}

function* twoOperand(stem: string, att: string, sizes: number[], opts: { keep?: boolean; immediates?: boolean; memDst?: boolean; memSrc?: boolean }): Generator<Case> {
  for (const size of sizes) {
    const p = `${stem}${P9_SUFFIX[size]}`;
    const a = `${att}${SUFFIX[size]}`;
    const pair = (src: [string, string], dst: [string, string]): Case =>
      opts.keep ? { plan9: `${p} ${dst[0]}, ${src[0]}`, att: `${a} ${src[1]}, ${dst[1]}` } : { plan9: `${p} ${src[0]}, ${dst[0]}`, att: `${a} ${src[1]}, ${dst[1]}` };
    yield pair(reg(3, size), reg(9, size));
    yield pair(reg(6, size), reg(0, size)); // SIL needs REX at size 1
    if (opts.memSrc !== false) for (const m of MEMORY.slice(0, size === 8 ? MEMORY.length : 8)) yield pair(m, reg(2, size));
    if (opts.memDst !== false) for (const m of MEMORY.slice(3, 7)) yield pair(reg(10, size), m);
    if (opts.immediates !== false) {
      const imms = size === 1 ? ['7', '-3', '200'] : ['7', '-3', '1000', '-70000'];
      for (const i of imms) {
        if (size === 2 && i === '-70000') continue;
        yield pair([`$${i}`, `$${i}`], reg(0, size));
        yield pair([`$${i}`, `$${i}`], reg(11, size));
        yield pair([`$${i}`, `$${i}`], MEMORY[4]!);
      }
    }
  }
}

export function* cases(): Generator<Case> {
  for (const op of ['ADD', 'SUB', 'AND', 'OR', 'XOR', 'ADC', 'SBB', 'MOV']) yield* twoOperand(op, op.toLowerCase(), [1, 2, 4, 8], {});
  yield* twoOperand('CMP', 'cmp', [1, 2, 4, 8], { keep: true });
  yield* twoOperand('TEST', 'test', [1, 2, 4, 8], {});
  yield { plan9: 'MOVQ $0x123456789, AX', att: 'movabsq $0x123456789, %rax' };
  yield { plan9: 'MOVQ $0xffffffff, R12', att: 'movabsq $0xffffffff, %r12' };
  yield { plan9: 'MOVQ $0xfffffffffffff001, DX', att: 'movq $-4095, %rdx' };
  yield { plan9: 'CMPQ AX, $0xfffffffffffff001', att: 'cmpq $-4095, %rax' };
  yield { plan9: 'MOVQ $runtime·x(SB), R11', att: 'leaq runtime.x(%rip), %r11' };
  yield { plan9: 'MOVLQZX BX, AX', att: 'movl %ebx, %eax' };
  for (const [p, a] of [['LEAQ', 'leaq'], ['LEAL', 'leal'], ['LEAW', 'leaw']] as const) {
    const size = { Q: 8, L: 4, W: 2 }[p[3] as 'Q' | 'L' | 'W'];
    for (const m of MEMORY.slice(0, 8)) yield { plan9: `${p} ${m[0]}, CX`, att: `${a} ${m[1]}, ${attReg(1, size)}` };
  }
  for (const size of [2, 4, 8]) {
    yield { plan9: `IMUL${P9_SUFFIX[size]} BX, R9`, att: `imul${SUFFIX[size]} ${attReg(3, size)}, ${attReg(9, size)}` };
    yield { plan9: `IMUL${P9_SUFFIX[size]} 8(SP), AX`, att: `imul${SUFFIX[size]} 8(%rsp), ${attReg(0, size)}` };
  }
  for (const op of ['NEG', 'NOT', 'INC', 'DEC', 'MUL', 'DIV', 'IDIV']) {
    for (const size of [1, 2, 4, 8]) {
      yield { plan9: `${op}${P9_SUFFIX[size]} R14`, att: `${op.toLowerCase()}${SUFFIX[size]} ${attReg(14, size)}` };
      yield { plan9: `${op}${P9_SUFFIX[size]} DI`, att: `${op.toLowerCase()}${SUFFIX[size]} ${attReg(7, size)}` };
      yield { plan9: `${op}${P9_SUFFIX[size]} 8(SP)`, att: `${op.toLowerCase()}${SUFFIX[size]} 8(%rsp)` };
    }
  }
  for (const op of ['SHL', 'SHR', 'SAR', 'ROL', 'ROR']) {
    for (const size of [1, 2, 4, 8]) {
      const p = `${op}${P9_SUFFIX[size]}`;
      const a = `${op.toLowerCase()}${SUFFIX[size]}`;
      for (const [dp, da] of [reg(3, size), reg(12, size), MEMORY[1]!]) {
        yield { plan9: `${p} $1, ${dp}`, att: `${a} $1, ${da}` };
        yield { plan9: `${p} $5, ${dp}`, att: `${a} $5, ${da}` };
        yield { plan9: `${p} CX, ${dp}`, att: `${a} %cl, ${da}` };
      }
    }
  }
  const ext: Array<[string, string, number, number]> = [
    ['MOVBWZX', 'movzbw', 1, 2], ['MOVBLZX', 'movzbl', 1, 4], ['MOVBQZX', 'movzbq', 1, 8], ['MOVWLZX', 'movzwl', 2, 4],
    ['MOVWQZX', 'movzwq', 2, 8], ['MOVBWSX', 'movsbw', 1, 2], ['MOVBLSX', 'movsbl', 1, 4], ['MOVBQSX', 'movsbq', 1, 8],
    ['MOVWLSX', 'movswl', 2, 4], ['MOVWQSX', 'movswq', 2, 8], ['MOVLQSX', 'movslq', 4, 8],
  ];
  for (const [p, a, from, to] of ext) {
    yield { plan9: `${p} SI, R8`, att: `${a} ${attReg(6, from)}, ${attReg(8, to)}` };
    yield { plan9: `${p} -300(R12)(R13*4), AX`, att: `${a} -300(%r12,%r13,4), ${attReg(0, to)}` };
  }
  const conds: Array<[string, string]> = [
    ['EQ', 'e'], ['NE', 'ne'], ['LT', 'l'], ['GE', 'ge'], ['LE', 'le'], ['GT', 'g'], ['LS', 'be'], ['HI', 'a'],
    ['CC', 'ae'], ['CS', 'b'], ['MI', 's'], ['PL', 'ns'], ['OS', 'o'], ['OC', 'no'], ['PS', 'p'], ['PC', 'np'],
  ];
  const padding = (n: number) => [Array(n).fill('NOP').join('; '), `.fill ${n}, 1, 0x90`];
  const [far9, farAtt] = padding(200);
  for (const [cc, x] of conds) {
    yield { plan9: `SET${cc} AX`, att: `set${x} %al` };
    yield { plan9: `SET${cc} 8(SP)`, att: `set${x} 8(%rsp)` };
    for (const size of [2, 4, 8]) yield { plan9: `CMOV${P9_SUFFIX[size]}${cc} BX, R9`, att: `cmov${x}${SUFFIX[size]} ${attReg(3, size)}, ${attReg(9, size)}` };
    yield { plan9: `CMOVQ${cc} 8(SP), AX`, att: `cmov${x}q 8(%rsp), %rax` };
    yield { plan9: `J${cc} l; NOP; l: RET`, att: `j${x} 1f; nop; 1: ret` };
    yield { plan9: `l: NOP; J${cc} l`, att: `1: nop; j${x} 1b` };
    yield { plan9: `J${cc} l; ${far9}; l: RET`, att: `j${x} 1f; ${farAtt}; 1: ret` };
    yield { plan9: `J${cc} runtime·f(SB)`, att: `j${x} runtime.f` };
  }
  yield { plan9: 'JHS l; l: RET', att: 'jae 1f; 1: ret' };
  yield { plan9: 'JLO l; l: RET', att: 'jb 1f; 1: ret' };
  yield { plan9: 'JMP l; NOP; l: RET', att: 'jmp 1f; nop; 1: ret' };
  yield { plan9: `JMP l; ${far9}; l: RET`, att: `jmp 1f; ${farAtt}; 1: ret` };
  yield { plan9: 'JMP 2(PC); NOP; RET', att: 'jmp 1f; nop; 1: ret' };
  yield { plan9: 'JMP runtime·f(SB)', att: 'jmp runtime.f' };
  yield { plan9: 'JMP R11', att: 'jmp *%r11' };
  yield { plan9: 'JMP 8(AX)', att: 'jmp *8(%rax)' };
  yield { plan9: 'CALL runtime·entersyscall(SB)', att: 'call runtime.entersyscall' };
  yield { plan9: 'CALL AX', att: 'call *%rax' };
  yield { plan9: 'CALL (R12)', att: 'call *(%r12)' };
  yield { plan9: 'CALL l; l: RET', att: 'call 1f; 1: ret' };
  for (const [p, a] of [['AX', '%rax'], ['R12', '%r12'], ['$5', '$5'], ['$1000', '$1000'], ['8(SP)', '8(%rsp)']]) yield { plan9: `PUSHQ ${p}`, att: `pushq ${a}` };
  for (const [p, a] of [['BX', '%rbx'], ['R15', '%r15'], ['8(SP)', '8(%rsp)']]) yield { plan9: `POPQ ${p}`, att: `popq ${a}` };
  for (const size of [1, 2, 4, 8]) {
    const [p, a] = [P9_SUFFIX[size], SUFFIX[size]];
    for (const op of ['XCHG', 'XADD', 'CMPXCHG']) {
      const at = op.toLowerCase() + a;
      yield { plan9: `${op}${p} BX, R9`, att: `${at} ${attReg(3, size)}, ${attReg(9, size)}` };
      yield { plan9: `${op}${p} DX, -300(R12)(R13*4)`, att: `${at} ${attReg(2, size)}, -300(%r12,%r13,4)` };
      yield { plan9: `LOCK; ${op}${p} SI, 8(SP)`, att: `lock ${at} ${attReg(6, size)}, 8(%rsp)` };
    }
    yield { plan9: `XCHG${p} AX, R9`, att: `xchg${a} ${attReg(0, size)}, ${attReg(9, size)}` };
    yield { plan9: `XCHG${p} R9, AX`, att: `xchg${a} ${attReg(9, size)}, ${attReg(0, size)}` };
    yield { plan9: `XCHG${p} (BX), DX`, att: `xchg${a} (%rbx), ${attReg(2, size)}` };
    if (size === 1) continue;
    for (const op of ['BSF', 'BSR', 'POPCNT', 'TZCNT', 'LZCNT', 'BT', 'BTS', 'BTR', 'BTC']) {
      const at = op.toLowerCase() + a;
      yield { plan9: `${op}${p} R14, CX`, att: `${at} ${attReg(14, size)}, ${attReg(1, size)}` };
      yield { plan9: `${op}${p} 8(SP), CX`.replace(/^(BT\w*) 8\(SP\), CX/, '$1 CX, 8(SP)'), att: op.startsWith('BT') ? `${at} ${attReg(1, size)}, 8(%rsp)` : `${at} 8(%rsp), ${attReg(1, size)}` };
      if (op.startsWith('BT')) {
        yield { plan9: `${op}${p} $5, R11`, att: `${at} $5, ${attReg(11, size)}` };
        yield { plan9: `${op}${p} $63, 8(SP)`, att: `${at} $63, 8(%rsp)` };
      }
    }
  }
  for (const [p, a] of [['BSWAPL R9', 'bswap %r9d'], ['BSWAPQ AX', 'bswap %rax'], ['BSWAPQ R12', 'bswap %r12']]) yield { plan9: p, att: a };
  const plain: Array<[string, string]> = [
    ['CBW', 'cbtw'], ['CWDE', 'cwtl'], ['CDQE', 'cltq'], ['CWD', 'cwtd'], ['CLC', 'clc'], ['STC', 'stc'], ['CMC', 'cmc'],
    ['CLD', 'cld'], ['STD', 'std'], ['LAHF', 'lahf'], ['SAHF', 'sahf'],
    ['PUSHFQ', 'pushfq'], ['POPFQ', 'popfq'], ['RET', 'ret'], ['SYSCALL', 'syscall'], ['SYSRET', 'sysretq'],
    ['SWAPGS', 'swapgs'], ['WRMSR', 'wrmsr'], ['RDMSR', 'rdmsr'], ['RDTSC', 'rdtsc'], ['CPUID', 'cpuid'], ['HLT', 'hlt'],
    ['NOP', 'nop'], ['PAUSE', 'pause'], ['CLI', 'cli'], ['STI', 'sti'], ['UD2', 'ud2'], ['CQO', 'cqto'], ['CDQ', 'cltd'],
    ['LFENCE', 'lfence'], ['MFENCE', 'mfence'], ['INT $0x80', 'int $0x80'], ['INT $3', 'int $3'],
    ['BYTE $0x90', '.byte 0x90'], ['WORD $0x1234', '.word 0x1234'], ['LONG $-1', '.long -1'], ['QUAD $0x1122334455667788', '.quad 0x1122334455667788'],
  ];
  for (const [p, a] of plain) yield { plan9: p, att: a };
}

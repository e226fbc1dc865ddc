// User-mode emulation of static executables: the system calls a test program needs, their
// strace lines, and guest faults turned into signals with RIP, instruction and address.
// Programs are hand-assembled into a minimal ELF (no binutils needed).
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../runtime/loader/elf.ts';
import { execStatic, type ExecResult } from '../../runtime/usermode/index.ts';
import { Regions } from '../../runtime/usermode/regions.ts';
import { buildElf, CODE_ADDR, DATA_ADDR, hex, le32 } from './harness/elf-builder.ts';

// Hand assembly of the few instructions the programs use.
const movEax = (v: number) => `b8 ${le32(v)}`;
const movEdi = (v: number) => `bf ${le32(v)}`;
const movEsi = (v: number) => `be ${le32(v)}`;
const movEdx = (v: number) => `ba ${le32(v)}`;
const movR10d = (v: number) => `41 ba ${le32(v)}`;
const movR8d = (v: number) => `41 b8 ${le32(v)}`;
const SYSCALL = '0f 05';
const sys = (nr: number, ...args: number[]) => [movEdi(args[0] ?? 0), movEsi(args[1] ?? 0), movEdx(args[2] ?? 0), movR10d(args[3] ?? 0), movR8d(args[4] ?? 0), movEax(nr), SYSCALL].join(' ');
const EXIT_WITH_RAX = `48 89 c7 ${movEax(60)} ${SYSCALL}`; // mov %rax,%rdi; exit(rdi)

interface Run {
  result: ExecResult;
  stdout: string;
  trace: string[];
}

function run(code: string, opts: { data?: Uint8Array; bss?: number; stdin?: string; seed?: number; maxInstructions?: number } = {}): Run {
  const elf = parseElf(buildElf({ code: hex(code), data: opts.data ?? new Uint8Array(16), bss: opts.bss ?? 0x1000 }), 'prog');
  let stdout = '';
  let stdin = new TextEncoder().encode(opts.stdin ?? '');
  const trace: string[] = [];
  const result = execStatic(elf, {
    argv: ['prog'],
    envp: [],
    seed: opts.seed ?? 0,
    ...(opts.maxInstructions ? { maxInstructions: opts.maxInstructions } : {}),
    strace: (line) => trace.push(line),
    io: {
      write(fd, bytes) {
        if (fd !== 1) return -9;
        stdout += new TextDecoder().decode(bytes);
        return bytes.length;
      },
      read(fd, length) {
        if (fd !== 0) return -9;
        const chunk = stdin.subarray(0, length);
        stdin = stdin.subarray(chunk.length);
        return chunk;
      },
    },
  });
  return { result, stdout, trace };
}

const text = (s: string) => new TextEncoder().encode(s);
/** An strace line: the call padded to column 39, then the result. */
const line = (call: string, result: string | number) => `${call.padEnd(39)} = ${result}`;

describe('user-mode system calls', () => {
  it('write and exit_group: output, status and strace lines', () => {
    const r = run(`${sys(1, 1, DATA_ADDR, 3)} ${sys(231, 3)}`, { data: text('hi\n') });
    expect(r.stdout).toBe('hi\n');
    expect(r.result).toMatchObject({ kind: 'exit', status: 3 });
    expect(r.trace).toEqual([line('write(1, "hi\\n", 3)', 3), line('exit_group(3)', '?'), '+++ exited with 3 +++']);
  });

  it('writev gathers its buffers into one write', () => {
    const data = new Uint8Array(48);
    const v = new DataView(data.buffer);
    v.setBigUint64(0, BigInt(DATA_ADDR + 32), true);
    v.setBigUint64(8, 2n, true);
    v.setBigUint64(16, BigInt(DATA_ADDR + 40), true);
    v.setBigUint64(24, 3n, true);
    data.set(text('ab'), 32);
    data.set(text('cde'), 40);
    const r = run(`${sys(20, 1, DATA_ADDR, 2)} ${EXIT_WITH_RAX}`, { data });
    expect(r.stdout).toBe('abcde');
    expect(r.result.status).toBe(5);
  });

  it('read fills the buffer from stdin', () => {
    const r = run(`${sys(0, 0, DATA_ADDR, 10)} 48 89 c2 ${movEdi(1)} ${movEsi(DATA_ADDR)} ${movEax(1)} ${SYSCALL} ${sys(60, 0)}`, { stdin: 'xyz' });
    expect(r.stdout).toBe('xyz');
    expect(r.trace[0]).toBe(line('read(0, "xyz", 10)', 3));
  });

  it('brk grows the heap from the page after the last segment', () => {
    // brk(0); brk(base+0x3000); movb $42,-1(%rax); movzbl -1(%rax),%edi; exit
    const code = `${sys(12, 0)} 48 8d b8 00 30 00 00 ${movEax(12)} ${SYSCALL} c6 40 ff 2a 0f b6 78 ff ${movEax(60)} ${SYSCALL}`;
    const r = run(code);
    expect(r.result).toMatchObject({ kind: 'exit', status: 42 });
    expect(r.trace.slice(0, 2)).toEqual([line('brk(NULL)', `0x${(DATA_ADDR + 0x2000).toString(16)}`), line(`brk(0x${(DATA_ADDR + 0x5000).toString(16)})`, `0x${(DATA_ADDR + 0x5000).toString(16)}`)]);
  });

  it('mmap gives zeroed anonymous memory; munmap takes it away (then the access faults)', () => {
    // p = mmap(0, 8192, RW, PRIVATE|ANON, -1, 0); p[0x1ff8] = 7; munmap(p, 8192); read p[0x1ff8]
    const code = `${sys(9, 0, 8192, 3, 0x22, -1)} 48 89 c3 c7 83 f8 1f 00 00 07 00 00 00 8b 8b f0 1f 00 00 48 89 df ${movEsi(8192)} ${movEax(11)} ${SYSCALL} 8b 83 f8 1f 00 00`;
    const r = run(code);
    const addr = /^mmap\(NULL, 8192, 0x3, 0x22, -1, 0x0\) += (0x[0-9a-f]+)$/.exec(r.trace[0]!)?.[1];
    expect(addr).toBeDefined();
    expect(r.trace[1]).toBe(line(`munmap(${addr}, 8192)`, 0));
    expect(r.result).toMatchObject({ kind: 'signal', status: 139, signal: { name: 'SIGSEGV' } });
    expect(r.result.message).toContain(`address 0x${(Number(addr) + 0x1ff8).toString(16)}`);
    expect(r.result.message).toContain('mov    0x1ff8(%rbx),%eax');
  });

  it('arch_prctl sets and reports the FS base used by %fs: accesses', () => {
    const data = new Uint8Array(32);
    data[8] = 0x2b;
    // arch_prctl(ARCH_SET_FS, DATA); arch_prctl(ARCH_GET_FS, DATA+16); write(1, DATA+16, 8); exit(%fs:8)
    const code = `${sys(158, 0x1002, DATA_ADDR)} ${sys(158, 0x1003, DATA_ADDR + 16)} ${sys(1, 1, DATA_ADDR + 16, 8)} 64 48 8b 3c 25 08 00 00 00 ${movEax(60)} ${SYSCALL}`;
    const r = run(code, { data });
    expect(Array.from(text(r.stdout))).toEqual([0x00, 0x20, 0x60, 0, 0, 0, 0, 0]);
    expect(r.trace.slice(0, 2)).toEqual([line(`arch_prctl(ARCH_SET_FS, 0x${DATA_ADDR.toString(16)})`, 0), line(`arch_prctl(ARCH_GET_FS, 0x${(DATA_ADDR + 16).toString(16)})`, 0)]);
    expect(r.result.status).toBe(0x2b);
  });

  it('uname reports Linux on x86_64', () => {
    const buf = DATA_ADDR + 0x100;
    const r = run(`${sys(63, buf)} ${sys(1, 1, buf, 5)} ${sys(1, 1, buf + 65 * 4, 6)} ${sys(60, 0)}`);
    expect(r.stdout).toBe('Linuxx86_64');
  });

  it.each([
    ['ioctl → ENOTTY', sys(16, 1, 0x5401, 0), 256 - 25, line('ioctl(1, 0x5401, 0x0)', '-1 ENOTTY (Inappropriate ioctl for device)')],
    ['an unknown call → ENOSYS', sys(999, 1, 2, 3), 256 - 38, line('syscall_0x3e7(0x1, 0x2, 0x3, 0x0, 0x0, 0x0)', '-1 ENOSYS (Function not implemented)')],
    ['a bad buffer → EFAULT', sys(1, 1, 0x10, 5), 256 - 14, line('write(1, 0x10, 5)', '-1 EFAULT (Bad address)')],
    ['set_tid_address → the pid', sys(218, DATA_ADDR), 1000 & 0xff, line(`set_tid_address(0x${DATA_ADDR.toString(16)})`, 1000)],
  ])('%s', (_name, code, status, line) => {
    const r = run(`${code} ${EXIT_WITH_RAX}`);
    expect(r.result.status).toBe(status);
    expect(r.trace[0]).toBe(line);
  });

  it('huge requests are refused quickly: counts capped as Linux caps them, mappings limited', () => {
    // write(1, DATA, 2^64-1): the count is capped at MAX_RW_COUNT, which runs past the mapping.
    const huge = run(`${movEdi(1)} ${movEsi(DATA_ADDR)} 48 c7 c2 ff ff ff ff ${movEax(1)} ${SYSCALL} ${EXIT_WITH_RAX}`);
    expect(huge.result.status).toBe(256 - 14);
    // mmap(0, 2 GiB, RW, PRIVATE|ANON) → ENOMEM; mmap(0, 64 GiB, PROT_NONE, …) reserves.
    const big = run(`${sys(9, 0, 0x8000_0000, 3, 0x22, -1)} ${EXIT_WITH_RAX}`);
    expect(big.result.status).toBe(256 - 12);
    const reserve = run(`48 b8 ${'00 00 00 00 10 00 00 00'} 48 89 c6 31 ff 31 d2 ${movR10d(0x22)} ${movR8d(-1)} ${movEax(9)} ${SYSCALL} 48 c1 e8 20 ${EXIT_WITH_RAX}`);
    expect(reserve.trace[0]).toMatch(/^mmap\(NULL, 68719476736, 0x0, 0x22, -1, 0x0\) += 0x7feff0000000$/);
  });

  it('getrandom and AT_RANDOM are seeded: same seed, same bytes', () => {
    const code = `${sys(318, DATA_ADDR, 16, 0)} ${sys(1, 1, DATA_ADDR, 16)} ${sys(60, 0)}`;
    expect(run(code, { seed: 5 }).stdout).toBe(run(code, { seed: 5 }).stdout);
    expect(run(code, { seed: 5 }).stdout).not.toBe(run(code, { seed: 6 }).stdout);
  });
});

describe('guest faults become signals', () => {
  it.each([
    ['UD2', '0f 0b', 'SIGILL', 4, /#UD .* at rip 0x401000: ud2 \[0f 0b\], address 0x401000/],
    ['a store to address 0', '31 c0 c7 00 01 00 00 00', 'SIGSEGV', 11, /#PF .*write.* at rip 0x401002: movl   \$0x1,\(%rax\) \[c7 00 01 00 00 00\], address 0x0$/],
    ['a division by zero', '31 c9 f7 f1', 'SIGFPE', 8, /#DE .* at rip 0x401002: div    %ecx/],
    ['INT3', 'cc', 'SIGTRAP', 5, /#BP .* at rip 0x40100[01]/],
    ['HLT in ring 3', 'f4', 'SIGSEGV', 11, /#GP .* at rip 0x401000: hlt/],
    ['CLI in ring 3', 'fa', 'SIGSEGV', 11, /#GP .* at rip 0x401000: cli/],
    ['INT $0x80', 'cd 80', 'SIGSEGV', 11, /int \$0x80/],
    ['a jump to unmapped memory', `b8 ${le32(0x1000)} ff e0`, 'SIGSEGV', 11, /#PF .*exec.*address 0x1000/],
  ])('%s', (_name, code, signal, number, message) => {
    const r = run(code);
    expect(r.result).toMatchObject({ kind: 'signal', status: 128 + number, signal: { name: signal, number } });
    expect(r.result.message).toMatch(new RegExp(`^${signal}: `));
    expect(r.result.message).toMatch(message);
    expect(r.trace.at(-1)).toBe(`+++ killed by ${signal} +++`);
  });

  it('an endless loop stops at the instruction budget', () => {
    const r = run('eb fe', { maxInstructions: 10_000 });
    expect(r.result).toMatchObject({ kind: 'limit', status: 124, instructions: 10_000 });
    expect(r.result.message).toContain(`rip 0x${CODE_ADDR.toString(16)}`);
  });
});

describe('the address-space map behind mmap and brk', () => {
  it('merges, splits and finds the highest free gap', () => {
    const r = new Regions();
    r.add(0x1000, 0x3000);
    r.add(0x3000, 0x4000);
    r.add(0x8000, 0x9000);
    expect(r.isFree(0x4000, 0x8000)).toBe(true);
    expect(r.isFree(0x2000, 0x5000)).toBe(false);
    expect(r.highestFree(0x1000, 0, 0x10000)).toBe(0xf000);
    expect(r.highestFree(0x8000, 0, 0x10000)).toBeNull();
    expect(r.highestFree(0x4000, 0, 0x9000)).toBe(0x4000);
    expect(r.covers(0x1000, 0x4000)).toBe(true);
    expect(r.covers(0x3000, 0x5000)).toBe(false);
    r.remove(0x2000, 0x3000);
    expect(r.isFree(0x2000, 0x3000)).toBe(true);
    expect(r.isFree(0x1000, 0x2000)).toBe(false);
    expect(r.highestFree(0x1000, 0, 0x4000)).toBe(0x2000);
  });
});

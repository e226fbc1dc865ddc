// Every instruction form the assembler can emit, encoded by this project and by GNU `as`
// from the equivalent AT&T instruction: the bytes must be identical (before linking, so
// symbol fields are zero on both sides). A second check proves the corpus reaches every
// table form that some Plan 9 mnemonic can select.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../../runtime/asm/assembler.ts';
import { MNEMONICS } from '../../runtime/asm/mnemonics.ts';
import { formsFor } from '../../runtime/cpu/encoder.ts';
import { opcodeBytes, type InsnForm } from '../../runtime/cpu/table.ts';
import { cases } from './cases.ts';
import { elfSections } from './elf.ts';

const haveAs = spawnSync('as', ['--version']).status === 0;
const all = [...cases()];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function ours(plan9: string) {
  return assemble(`TEXT ·t(SB),NOSPLIT,$0-64\n${plan9}\n`, { file: 'case.s', pkg: 'main' }).symbols[0]!;
}

function formName(f: InsnForm): string {
  const ops = f.operands.map((o) => `${o.kind}${o.immSize ?? o.size}`).join(',');
  return `${f.mnemonic} ${opcodeBytes(f).map((b) => b.toString(16).padStart(2, '0')).join(' ')}${f.ext !== undefined ? ` /${f.ext}` : ''} (${ops}) osz=${f.osz}`;
}

describe(haveAs ? 'encodings against GNU as' : 'encodings against GNU as (skipped: GNU as not found)', () => {
  it.skipIf(!haveAs)(`match byte for byte (${all.length} cases)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'asm-'));
    try {
      const src = all.map((c, i) => `.section .t${i},"ax",@progbits\n${c.att}\n`).join('');
      writeFileSync(join(dir, 'c.s'), src);
      const r = spawnSync('as', ['--64', '-o', join(dir, 'c.o'), join(dir, 'c.s')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const sections = elfSections(readFileSync(join(dir, 'c.o')));
      const mismatches = all.flatMap((c, i) => {
        let mine: string;
        try {
          mine = hex(ours(c.plan9).bytes);
        } catch (err) {
          mine = String(err);
        }
        const theirs = hex(sections.get(`.t${i}`)!);
        return mine === theirs ? [] : [`${c.plan9}  |  ${c.att}\n  ours ${mine}\n  as   ${theirs}`];
      });
      expect(mismatches).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('form coverage', () => {
  it('reaches every table form a Plan 9 mnemonic can select', () => {
    const operandCount = { swap: 2, keep: 2, unary: 1, stack: 1, vector: 1, branch: 1, none: 0, data: -1 } as const;
    const expected = new Map<number, InsnForm>();
    for (const mn of MNEMONICS.values()) {
      for (const f of formsFor(mn.x86, mn.size)) if (f.operands.length === operandCount[mn.shape]) expected.set(f.id, f);
    }
    const used = new Set<number>();
    for (const c of all) {
      try {
        for (const span of ours(c.plan9).spans) for (const f of span.forms) used.add(f.id);
      } catch {
        // reported by the byte comparison
      }
    }
    const missing = [...expected.values()].filter((f) => !used.has(f.id)).map(formName);
    expect(missing).toEqual([]);
    expect(expected.size).toBeGreaterThan(300);
  });
});

// The disassembler: decoded instructions → AT&T text exactly as `objdump -d` prints it
// (mnemonic padded to six columns, source operands first, `$0x` immediates masked to the
// operand size, `disp(base,index,scale)` memory, `# target` comments for RIP-relative
// operands, size suffixes only where no register operand shows the size).
//
// Invariant: it formats what the decoder produced and never throws; invalid bytes give null.
import { decode, type Insn, OPD_IMM, OPD_MEM, OPD_NONE, SEG_FS, SEG_GS, Truncated } from './decode.ts';
import { CpuFault } from './faults.ts';
import type { Operand } from './table.ts';

const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const REG8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b', 'ah', 'ch', 'dh', 'bh'];
const SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };

/** Register name (without %) for an index and a size in bits. */
export function registerName(index: number, bits: number): string {
  if (bits === 8) return REG8[index]!;
  if (bits === 16) return REG16[index]!;
  if (bits === 32) return REG32[index]!;
  return REG64[index]!;
}

function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

/** Unsigned value of an immediate (lo, hi halves) masked to `bits`. */
function immText(lo: number, hi: number, bits: number): string {
  if (bits === 8) return hex(lo & 0xff);
  if (bits === 16) return hex(lo & 0xffff);
  if (bits === 32) return hex(lo >>> 0);
  return hex((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

function address64(v: number): string {
  return hex(BigInt.asUintN(64, BigInt(v)));
}

function signedHex(v: number): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : hex(v);
}

function memText(d: Insn): string {
  const seg = d.seg === SEG_FS ? '%fs:' : d.seg === SEG_GS ? '%gs:' : '';
  const names = d.addr32 ? REG32 : REG64;
  if (d.form.operands.some((o) => o.kind === 'moffs')) return seg + immText(d.rawDisp, d.moffsHi, 64);
  if (d.ripRel) return `${seg}${signedHex(d.rawDisp)}(%${d.addr32 ? 'eip' : 'rip'})`;
  if (d.base < 0 && d.index < 0 && d.sib && d.scale !== 0) return `${seg}${signedHex(d.rawDisp)}(,%${d.addr32 ? 'eiz' : 'riz'},${1 << d.scale})`;
  if (d.base < 0 && d.index < 0) return seg + (d.addr32 || !d.sib ? hex(d.rawDisp >>> 0) : address64(d.rawDisp));
  const disp = d.hasDisp ? signedHex(d.rawDisp) : '';
  let inner = d.base >= 0 ? `%${names[d.base]}` : '';
  if (d.index >= 0) inner += `,%${names[d.index]},${1 << d.scale}`;
  else if (d.sib && ((d.base & 7) !== 4 || d.scale !== 0)) inner += `,%${d.addr32 ? 'eiz' : 'riz'},${1 << d.scale}`;
  return `${seg}${disp}(${inner})`;
}

function operandText(d: Insn, slot: number, op: Operand, immIndex: number): string {
  if (slot === OPD_MEM) return memText(d);
  if (slot === OPD_IMM) {
    if (op.kind === 'rel') return address64(d.target);
    if (immIndex > 0) return `$${hex(d.imm2 & ((1 << op.immSize!) - 1))}`;
    return `$${immText(d.imm, d.immHi, op.size)}`;
  }
  return `%${registerName(slot, op.size)}`;
}

/** AT&T text of a decoded instruction, as objdump prints it (without address and bytes). */
export function formatInsn(d: Insn): string {
  const f = d.form;
  const slots = [d.a, d.b, d.c];
  const shown: string[] = [];
  let immIndex = 0;
  let hasSizedReg = false;
  let hasMem = false;
  f.operands.forEach((op, i) => {
    const slot = slots[i]!;
    if (slot === OPD_NONE || op.kind === 'one') return;
    if (slot === OPD_MEM) hasMem = true;
    else if (slot >= 0 && op.size === f.size && !(op.kind === 'fixed' && op.reg === 1 && op.size === 8)) hasSizedReg = true; // %cl as a count shows no size
    shown.push(operandText(d, slot, op, slot === OPD_IMM && op.kind !== 'rel' ? immIndex++ : 0));
  });

  let mnemonic = f.att;
  let operands: string[];
  const exec = f.exec;
  if (exec === 'movs' || exec === 'cmps' || exec === 'stos' || exec === 'lods' || exec === 'scas') {
    const acc = `%${registerName(0, d.size * 8)}`;
    const srcSeg = d.seg === SEG_FS ? '%fs' : d.seg === SEG_GS ? '%gs' : '%ds';
    const src = `${srcSeg}:(%${d.addr32 ? 'esi' : 'rsi'})`;
    const dst = `%es:(%${d.addr32 ? 'edi' : 'rdi'})`;
    operands = exec === 'movs' ? [src, dst] : exec === 'cmps' ? [dst, src] : exec === 'stos' ? [acc, dst] : exec === 'lods' ? [src, acc] : [dst, acc];
  } else if (exec === 'xlat') {
    operands = [`${d.seg === SEG_FS ? '%fs' : d.seg === SEG_GS ? '%gs' : '%ds'}:(%${d.addr32 ? 'ebx' : 'rbx'})`];
  } else if (exec === 'enter') {
    operands = shown;
  } else {
    operands = shown.reverse();
    if ((exec === 'callind' || exec === 'jmpind') && operands.length) operands[0] = `*${operands[0]}`;
    if (f.attSuffix === 'always' || (f.attSuffix === 'noreg' && hasMem && !hasSizedReg)) {
      if (!f.default64 || d.size === 2) mnemonic += SUFFIX[d.size] ?? '';
    } else if (f.default64 && d.size === 2 && f.attSuffix !== 'never' && !hasSizedReg) mnemonic += 'w';
  }
  if (exec === 'loop' && d.addr32) mnemonic += 'l';
  if (exec === 'jrcxz' && d.addr32) mnemonic = 'jecxz';

  let prefix = '';
  if (f.operands.some((o) => o.kind === 'moffs') && d.addr32) mnemonic = 'mov';
  if (f.mnemonic === 'nop' && f.opcode === 0x90 && d.prefixes.includes(0x66)) {
    // 66 90 is NOP to the CPU; objdump shows it as the XCHG it encodes
    mnemonic = 'xchg';
    operands = d.rex & 8 ? ['%rax', '%rax'] : ['%ax', '%ax'];
  }
  if (d.lock) prefix += 'lock ';
  if (d.rep === 1) prefix += f.rep === 'rep' ? 'rep ' : 'repz ';
  else if (d.rep === 2) prefix += 'repnz ';
  const head = prefix + mnemonic;
  let text = operands.length ? `${head.padEnd(6)} ${operands.join(',')}` : head;
  if (d.ripRel) text += `        # ${address64(d.addr32 ? d.disp | 0 : d.disp)}`;
  return text;
}

/** Disassembles the instruction at the start of `bytes` (located at `addr`); null if invalid or incomplete. */
export function disassemble(bytes: Uint8Array, addr: number): { text: string; length: number } | null {
  try {
    const d = decode(bytes, 0, bytes.length, addr);
    return { text: formatInsn(d), length: d.len };
  } catch (e) {
    if (e instanceof CpuFault || e instanceof Truncated) return null;
    throw e;
  }
}

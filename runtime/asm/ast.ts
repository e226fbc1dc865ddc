// The syntax tree plan9.peggy builds: one flat list of statements per file. Everything
// here is syntax only; the assembler gives it meaning. Numbers are bigint (exact 64-bit);
// `loc` is the 1-based line and column of the node's first character.

export interface Loc {
  line: number;
  column: number;
}

export type Statement =
  | { kind: 'label'; name: string; loc: Loc }
  | { kind: 'include'; path: string; loc: Loc }
  | { kind: 'insn'; op: string; args: Operand[]; loc: Loc };

/** `name+off(BASE)(INDEX*scale)/width`; `sym` is null for `off(BASE)`. */
export interface MemoryOperand {
  kind: 'mem';
  sym: string | null;
  offset: bigint;
  base: string;
  index: { reg: string; scale: 1 | 2 | 4 | 8 } | null;
  /** DATA's `/size`. */
  width: number | null;
  loc: Loc;
}

export type Operand =
  | { kind: 'reg'; name: string; loc: Loc }
  | { kind: 'imm'; value: bigint; loc: Loc }
  /** `$name+off(SB)`: the address of a symbol. */
  | { kind: 'addr'; sym: string; offset: bigint; loc: Loc }
  /** `$"text"` (DATA only). */
  | { kind: 'string'; value: string; loc: Loc }
  /** `$frame-args` (TEXT's frame and argument sizes). */
  | { kind: 'frame'; frame: bigint; args: bigint; loc: Loc }
  /** A bare identifier: a label (branch target) or a flag name. */
  | { kind: 'name'; name: string; loc: Loc }
  /** `NOSPLIT|NOFRAME`. */
  | { kind: 'flags'; names: string[]; loc: Loc }
  | MemoryOperand;

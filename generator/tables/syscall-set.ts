// Collects the syscalls an importer keeps for one target and enforces the invariants of
// a number table: every number and every name appears at most once. A clash is a
// located error naming both lines, so the user can see which upstream entries collide.
import { tableError } from './errors.ts';
import type { SourcePosition, SyscallEntry } from './types.ts';

export class SyscallSet {
  private readonly byNumber = new Map<number, SyscallEntry & SourcePosition>();
  private readonly byName = new Map<string, SyscallEntry & SourcePosition>();

  constructor(
    private readonly file: string,
    private readonly text: string,
    /** Appended to clash messages, e.g. how to choose abis. */
    private readonly hint = '',
  ) {}

  add(entry: SyscallEntry, at: SourcePosition): void {
    const located = { ...entry, line: at.line, column: at.column };
    const sameNumber = this.byNumber.get(entry.number);
    if (sameNumber) {
      throw tableError(this.file, this.text, at.line, at.column, `number ${entry.number} (${entry.name}) is already used by ${sameNumber.name} at line ${sameNumber.line}${this.hint}`);
    }
    const sameName = this.byName.get(entry.name);
    if (sameName) {
      throw tableError(this.file, this.text, at.line, at.column, `name ${entry.name} (${entry.number}) is already used by number ${sameName.number} at line ${sameName.line}${this.hint}`);
    }
    this.byNumber.set(entry.number, located);
    this.byName.set(entry.name, located);
  }

  /** The entries in ascending number order, without positions. */
  entries(): SyscallEntry[] {
    return [...this.byNumber.values()]
      .sort((a, b) => a.number - b.number)
      .map(({ number, name, abi, entry }) => ({ number, name, abi, entry }));
  }
}

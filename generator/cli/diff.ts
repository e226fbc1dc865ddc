// `mksyscall diff A B`: the semantic diff of two targets, then the unified diff of
// their generated zsyscall and zsysnum files (generator/portable/diff.ts). Exit 2 on
// bad input (an unknown target, or defs that do not lower).
import { generatedFilesDiff, semanticDiff } from '../portable/diff.ts';

export interface DiffOptions {
  /** Print the semantic diff only. */
  semanticOnly?: boolean;
  defs?: string;
}

export function runDiff(a: string, b: string, opts: DiffOptions, out: (s: string) => void, err: (s: string) => void): number {
  try {
    out(semanticDiff(a, b, opts.defs).join('\n') + '\n');
    if (!opts.semanticOnly) out('\n' + generatedFilesDiff(a, b, opts.defs));
    return 0;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    err(`mksyscall diff: ${e.message}\n`);
    return 2;
  }
}

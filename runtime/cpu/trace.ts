// Traces: a hot chain of blocks, with the host addresses served in place between them,
// compiled into one JavaScript function.
//
// Blocks remember the block that ran after them last (Block.next, at the privilege level
// it was fetched at). A compiled block the run loop enters often (TRACE_HOT times) becomes
// the head of a trace: its chain of links, followed while each successor is compiled (or
// is a host address) and not yet in the trace, up to MAX_TRACE parts. The trace's function
// holds every block's source inline (compile.ts's blockBody), one after the other, so V8
// sees the whole path at once: no run-loop iteration, no call of a block function and no
// reload of the CPU's fields between the parts. A chain whose last part leads back to the
// head (a loop of several blocks) goes round inside the function. A host address in the chain becomes a call
// of its bound function (or the CPU's hostCall hook) right there, as the run loop would make it.
//
// Contract with Cpu.run, which calls the trace instead of the head's compiled function
// (and only when the budget allows the head's whole block):
// - Before each part, a guard checks what the run loop would: RIP at the part's address,
//   the privilege level the link was made at, the part still valid, and for a block, a
//   budget for all of it. A failing guard returns to the run loop, which goes on from
//   there as usual; a part found invalid also drops the trace (it is rebuilt when hot).
// - After each block, icount and the budget are charged with its instructions (host calls
//   see icount exact, as in the run loop); a stop request returns at once.
// - `c.tb` is the part running or last run: the run loop chains from it (null after a block
//   invalidated itself part-way, which returns with its executed count already charged),
//   reports a fault at `c.tb`'s instruction `c.bi`, and rethrows anything a host call
//   throws. The function returns the remaining budget, or -1 when the host function asked
//   to stop at `c.tb`'s host address (or there is none). Host functions never run the CPU
//   that called them (only one CPU runs at a time, and not re-entered).
import type { Block, Cpu } from './cpu.ts';
import { blockBody, COMMON_ARGS, COMMON_NAMES, generated, isSelfLoop } from './compile.ts';

/** Run-loop entries of a compiled block before a trace is built from it (again at every power of two while none could be). */
export const TRACE_HOT = 32;
/** Most parts (blocks and host addresses) in one trace. */
export const MAX_TRACE = 24;

/** A compiled trace: returns the remaining budget, or -1 to stop at c.tb's host address. */
export type TraceFn = (c: Cpu, budget: number) => number;

/**
 * The parts a trace from head follows: head, then each link while the successor is valid,
 * a host address or a compiled block that does not loop on itself, and not already in the
 * path. A host address where the hook stops (a return target) has no link and ends it.
 */
export function tracePath(head: Block): Block[] {
  const path = [head];
  let at = head;
  while (path.length < MAX_TRACE) {
    const next = at.next;
    if (next === null || !next.valid || path.includes(next)) break;
    if (!next.host && (next.compiled === null || isSelfLoop(next))) break;
    path.push(next);
    at = next;
  }
  return path;
}

/** The function running `path` (from tracePath: path[0] a compiled block that is not a self-loop). */
export function compileTrace(path: readonly Block[]): TraceFn {
  const names: string[] = [];
  const args: unknown[] = [];
  let body = '';
  for (let j = 0; j < path.length; j++) {
    const b = path[j]!;
    const bj = `b${j}`;
    if (j > 0) {
      const prev = path[j - 1]!;
      body += `if (c.rip !== ${b.addr} || c.cpl !== ${prev.nextCpl}) return budget;\n`;
      body += `if (!${bj}.valid) { b0.trace = null; return budget; }\n`;
    }
    if (b.host) {
      let call = `const hc = c.hostCall; if (hc === null) return -1; const go = hc(c, ${b.addr});`;
      if (b.serve !== null) {
        names.push(`s${j}`);
        args.push(b.serve);
        call = `const go = s${j}(c);`;
      }
      body += `c.tb = ${bj};\n{ ${call} if (go < 0) return -1; m.setUserMode(c.cpl === 3); budget = go; }\n`;
      continue;
    }
    const n = b.insns.length;
    if (j > 0) body += `if (budget < ${n}) return budget;\n`;
    body += `c.tb = ${bj}; T = m.tlb; rt = T.readTag; rw = T.readWords; wt = T.writeTag; ww = T.writeWords;\nc.rip = ${b.fallthrough};\n`;
    body += blockBody(b, { block: bj, tag: `${j}_`, exitInvalid: (count, rip) => `{ c.rip = ${rip}; c.icount += ${count}; c.tb = null; return budget - (${count}); }` }, names, args);
    body += `c.icount += ${n}; budget -= ${n};\nif (c.stopRequest !== null) return budget;\n`;
  }
  // A chain that leads back to its head loops inside the function, guarded at the head as
  // at any other part, while the budget allows the head's whole block.
  const last = path[path.length - 1]!;
  if (last.next === path[0]) {
    body = `for (;;) {\n${body}if (c.rip !== ${path[0]!.addr} || c.cpl !== ${last.nextCpl} || !b0.valid || budget < ${path[0]!.insns.length}) return budget;\n}\n`;
  }
  const start = 'const done = 0;\nconst lo = c.lo; const hi = c.hi; const f = c.flags; const m = c.mem; let T, rt, rw, wt, ww;\n';
  const blocks = path.map((_, j) => `b${j}`);
  return generated([...blocks, ...COMMON_NAMES, ...names], `return function trace(c, budget) {\n${start}${body}return budget;\n};`)(...path, ...COMMON_ARGS, ...args) as TraceFn;
}

/** A trace from head, or null when head's chain gives nothing to join it to. */
export function buildTrace(head: Block): TraceFn | null {
  if (isSelfLoop(head)) return null;
  const path = tracePath(head);
  return path.length < 2 ? null : compileTrace(path);
}

// Crash dumps: what the scheduler prints when the program cannot go on, in the spirit of
// Go's fatal errors with GODEBUG=scheddetail=1 — one line per P, per M and per G saying
// what it holds and what it waits for — and the schedtrace summary line.
//
// A deadlock is declared when no event that could change anything is queued: no M can
// step, no timer or kernel wake-up is pending and sysmon has nothing left to retake.
// Go itself only notices this when no M is running; an M blocked in the kernel makes Go
// hang silently, so the dump says why: above all the RawSyscall hazard, where a thread
// blocked in a raw call keeps its P and the Gs queued behind it can never run.
import { GStatus, pStatusName, type G, type M, type Scheduler } from './sched.ts';

function ms(ns: number): string {
  return `${Math.floor(ns / 1e6)}ms`;
}

/** GODEBUG=schedtrace=N style: one summary line at virtual time `at`. */
export function schedtraceLine(s: Scheduler, at: number): string {
  const threads = s.allm.length;
  const spinning = s.nmspinning;
  const runqs = s.allp.map((pp) => pp.runqsize).join(' ');
  return `SCHED ${ms(at)}: gomaxprocs=${s.gomaxprocs} idleprocs=${s.npidle} threads=${threads} spinningthreads=${spinning} idlethreads=${s.idleMs} runqueue=${s.runq.size} [${runqs}]`;
}

function mState(mp: M): string {
  if (mp.isSysmon) return 'sysmon (runs without a P)';
  if (mp.exited) return 'exited (its thread exited with its goroutine)';
  if (mp.blocked) return `blocked in the kernel: ${mp.blocked.what}`;
  if (mp.parked) return 'idle (stopm)';
  if (mp.curg) return `running goroutine ${mp.curg.goid}`;
  return mp.spinning ? `spinning on ${mp.g0}` : `scheduling on ${mp.g0}`;
}

function gState(gp: G): string {
  switch (gp.status) {
    case GStatus._Gwaiting:
      return gp.waitreason;
    case GStatus._Gsyscall:
      return 'syscall';
    case GStatus._Grunning:
      return gp.syscall ? 'running, in a raw syscall' : 'running';
    case GStatus._Grunnable:
      return 'runnable';
    case GStatus._Gdead:
      return 'dead';
  }
}

function dump(s: Scheduler): string[] {
  const lines = [schedtraceLine(s, s.now)];
  for (const pp of s.allp) {
    const inSyscall = pp.syscallm ? ` (in a syscall of M${pp.syscallm.id})` : '';
    const holder = `${pp.m ? `M${pp.m.id}` : 'none'}${inSyscall}`;
    const queued = [...(pp.runnext ? [pp.runnext] : []), ...pp.runq.toArray()].map((g) => g.goid);
    lines.push(`  P${pp.id}: status=${pStatusName(pp.status)} schedtick=${pp.schedtick} syscalltick=${pp.syscalltick} m=${holder} runqsize=${pp.runqsize}${queued.length ? ` runq=[${queued.slice(0, 16).join(' ')}${queued.length > 16 ? ' …' : ''}]` : ''}`);
  }
  for (const mp of s.allm.slice(0, 64)) {
    lines.push(`  M${mp.id}: tid=${mp.thread.tid} p=${mp.p ? `P${mp.p.id}` : 'nil'} oldp=${mp.oldp ? `P${mp.oldp.id}` : 'nil'} curg=${mp.curg ? mp.curg.goid : 'nil'} spinning=${mp.spinning} locks=${mp.locks} syscalltick=${mp.syscalltick}: ${mState(mp)}`);
  }
  if (s.allm.length > 64) lines.push(`  … ${s.allm.length - 64} more Ms`);
  const live = s.allg.filter((gp) => gp.status !== GStatus._Gdead);
  for (const gp of live.slice(0, 64)) {
    const where = gp.m ? ` on M${gp.m.id}` : '';
    const call = gp.syscall ? ` in ${gp.syscall.raw ? 'RawSyscall' : 'Syscall'} ${gp.syscall.name}${gp.blockedOn ? ` (${gp.blockedOn})` : ''}` : '';
    const exited = gp.status === GStatus._Grunnable && gp.sysexitticks > 0 ? `, left its syscall at ${gp.sysexitticks} ns` : '';
    lines.push(`goroutine ${gp.goid} [${gState(gp)}]${where}${call}${exited}${gp.parent ? `, created by goroutine ${gp.parent}` : ''}`);
  }
  if (live.length > 64) lines.push(`… ${live.length - 64} more goroutines`);
  return lines;
}

/** Why nothing can run: the RawSyscall hazard first, then what each blocked thread waits for. */
function diagnosis(s: Scheduler): string[] {
  const out: string[] = [];
  for (const mp of s.allm) {
    const gp = mp.curg;
    if (!mp.blocked || !gp) continue;
    if (mp.p && gp.status !== GStatus._Gsyscall) {
      const pp = mp.p;
      const stuck = [...(pp.runnext ? [pp.runnext] : []), ...pp.runq.toArray()].map((g) => g.goid);
      const others = stuck.length ? `; goroutine${stuck.length > 1 ? 's' : ''} ${stuck.join(', ')} ${stuck.length > 1 ? 'are' : 'is'} runnable on P${pp.id} but can never run` : '';
      const only = s.gomaxprocs === 1 ? ' (GOMAXPROCS=1: it is the only P)' : '';
      out.push(
        `goroutine ${gp.goid} is blocked in RawSyscall ${gp.syscall?.name ?? '?'} (${mp.blocked.what}) on M${mp.id} and keeps P${pp.id}${only}: ` +
          `RawSyscall does not call entersyscall, so the P stays _Prunning and sysmon cannot retake it${others}. ` +
          `A call that can block must use Syscall (//sys), not RawSyscall (//sysnb).`,
      );
    } else {
      out.push(`goroutine ${gp.goid} is blocked in Syscall ${gp.syscall?.name ?? '?'} (${mp.blocked.what}) on M${mp.id}; its P was handed off, but nothing left can wake it.`);
    }
  }
  const waiting = s.allg.filter((gp) => gp.status === GStatus._Gwaiting);
  if (waiting.length) out.push(`${waiting.length} goroutine${waiting.length > 1 ? 's' : ''} parked (${[...new Set(waiting.map((g) => g.waitreason))].join(', ')}) with nobody left to wake them.`);
  return out;
}

export function deadlockReport(s: Scheduler): string {
  const inKernel = s.allm.some((mp) => mp.blocked !== null);
  const head = inKernel
    ? 'fatal error: no goroutine can run again - deadlock! (Go would hang here: threads are blocked in the kernel)'
    : 'fatal error: all goroutines are asleep - deadlock!';
  return [head, '', ...diagnosis(s), '', ...dump(s)].join('\n') + '\n';
}

/** The no-progress guard fired: a scheduler bug, reported with the state it left. */
export function noProgressReport(s: Scheduler, why: string): string {
  return ['fatal error: the scheduler is making no progress (a bug in the scheduler)', why, '', ...dump(s)].join('\n') + '\n';
}

export function exhaustionReport(s: Scheduler): string {
  return [`runtime: program exceeds ${s.maxThreads}-thread limit`, 'fatal error: thread exhaustion', '', ...dump(s)].join('\n') + '\n';
}

export function panicReport(s: Scheduler, gp: G, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return [`panic: ${msg}`, '', `goroutine ${gp.goid} [running]`, '', ...dump(s)].join('\n') + '\n';
}

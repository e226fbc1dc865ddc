// The Linux personality's process, signal, time and miscellaneous calls: ids, clone (threads
// only), exit and exit_group, kill and tgkill, set_tid_address, arch_prctl, sched_yield, uname,
// getrandom, clock_gettime, nanosleep and clock_nanosleep.
//
// Time comes from the machine's virtual clock: CLOCK_REALTIME is the boot time given in
// the options plus the virtual time since boot; the other clocks count from boot. A sleep
// blocks until its virtual deadline; the driver or scheduler moves the clock there.
import { copyCost } from '../clock.ts';
import { YIELD, type Kernel } from '../kernel.ts';
import type { Process, Thread } from '../process.ts';
import { argInt, argPtr, argUint, argUlong, argWord, type SyscallRegs } from '../regs.ts';
import { copyFromUser, copyToUser, TASK_SIZE_MAX } from '../uaccess.ts';
import {
  ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_FS, ARCH_SET_GS, CLOCK_NAMES, CLONE_SIGHAND, CLONE_THREAD, CLONE_VM, GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM,
  MAX_RW_COUNT, NSIG, TIMESPEC_SIZE, UTSNAME_FIELD, UTSNAME_FIELDS,
} from './abi.ts';
import type { HandlerResult } from './handlers.ts';

export const UTS_RELEASE = '6.1.0-mksyscall';
export const UTS_VERSION = '#1 SMP PREEMPT_DYNAMIC';
const NSEC_PER_SEC = 1e9;
const TIMER_ABSTIME = 1;
const THREAD_CPUTIME_ID = 3;

export const sysGetpid = (_k: Kernel, t: Thread): HandlerResult => t.process.pid;
export const sysGetppid = (_k: Kernel, t: Thread): HandlerResult => t.process.ppid;
export const sysGettid = (_k: Kernel, t: Thread): HandlerResult => t.tid;
export const sysGetuid = (k: Kernel): HandlerResult => k.uid;
export const sysGetgid = (k: Kernel): HandlerResult => k.gid;
export const sysSchedYield = (): HandlerResult => YIELD;

/**
 * clone(flags, child_stack, ptid, ctid, tls), for threads only: the flags must ask for a
 * thread of this process (CLONE_THREAD, with CLONE_SIGHAND and CLONE_VM as Linux requires,
 * else EINVAL). Someone must run the new thread on a CPU: the kernel's threadProvider (the
 * machine, for the Ms its scheduler makes); without one, or for a new process, ENOSYS.
 * Returns the new thread's id.
 */
export function sysClone(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const flags = argWord(r, 0);
  const has = (bit: number) => (flags & BigInt(bit)) !== 0n;
  if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) return 'EINVAL';
  if (has(CLONE_SIGHAND) && !has(CLONE_VM)) return 'EINVAL';
  if (!has(CLONE_THREAD) || k.threadProvider === undefined) return 'ENOSYS';
  const child = k.threadProvider(t, flags, argWord(r, 1));
  return typeof child === 'string' ? child : child.tid;
}

export function sysExit(k: Kernel, _t: Thread, r: SyscallRegs): HandlerResult {
  return k.requestExit(argInt(r, 0) & 0xff, false);
}

export function sysExitGroup(k: Kernel, _t: Thread, r: SyscallRegs): HandlerResult {
  return k.requestExit(argInt(r, 0) & 0xff, true);
}

function validSignal(sig: number): boolean {
  return sig >= 0 && sig <= NSIG;
}

function signalProcess(k: Kernel, target: Process | undefined, sig: number, sender: number): HandlerResult {
  if (!target || !target.alive) return 'ESRCH';
  if (sig !== 0) k.sendSignal(target, sig, sender);
  return 0;
}

export function sysKill(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const pid = argInt(r, 0);
  const sig = argInt(r, 1);
  if (!validSignal(sig)) return 'EINVAL';
  const self = t.process;
  // There is one process group (the caller's, numbered by its pid): 0, -1 and -pid mean it.
  const target = pid > 0 ? k.processes.get(pid) : pid === 0 || pid === -1 || -pid === self.pid ? self : undefined;
  return signalProcess(k, target, sig, self.pid);
}

export function sysTgkill(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const tgid = argInt(r, 0);
  const tid = argInt(r, 1);
  const sig = argInt(r, 2);
  if (tgid <= 0 || tid <= 0 || !validSignal(sig)) return 'EINVAL';
  const th = k.threads.get(tid);
  if (!th || th.process.pid !== tgid || th.state === 'dead') return 'ESRCH';
  return signalProcess(k, th.process, sig, t.process.pid);
}

export function sysSetTidAddress(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  t.clearChildTid = argPtr(r, 0);
  return t.tid;
}

export function sysArchPrctl(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const code = argInt(r, 0);
  const value = argWord(r, 1);
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (value >= BigInt(TASK_SIZE_MAX)) return 'EPERM';
      if (code === ARCH_SET_FS) t.fsBase = value;
      else t.gsBase = value;
      return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, code === ARCH_GET_FS ? t.fsBase : t.gsBase, true);
      return copyToUser(t.process.mem, argPtr(r, 1), out) ? 0 : 'EFAULT';
    }
    default:
      return 'EINVAL';
  }
}

export function encodeUtsname(k: Kernel): Uint8Array {
  const out = new Uint8Array(UTSNAME_FIELD * UTSNAME_FIELDS.length);
  const values: Record<(typeof UTSNAME_FIELDS)[number], string> = {
    sysname: 'Linux',
    nodename: k.hostname,
    release: UTS_RELEASE,
    version: UTS_VERSION,
    machine: 'x86_64',
    domainname: '(none)',
  };
  UTSNAME_FIELDS.forEach((f, i) => out.set(new TextEncoder().encode(values[f]).subarray(0, UTSNAME_FIELD - 1), i * UTSNAME_FIELD));
  return out;
}

export function sysUname(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return copyToUser(t.process.mem, argPtr(r, 0), encodeUtsname(k)) ? 0 : 'EFAULT';
}

export function sysGetrandom(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const buf = argPtr(r, 0);
  const count = Math.min(argUlong(r, 1), MAX_RW_COUNT);
  const flags = argUint(r, 2);
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) !== 0) return 'EINVAL';
  if ((flags & (GRND_INSECURE | GRND_RANDOM)) === (GRND_INSECURE | GRND_RANDOM)) return 'EINVAL';
  if (count === 0) return 0;
  if (!t.process.mem.check(buf, count, 'w', true) || buf + count > TASK_SIZE_MAX) return 'EFAULT';
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i += 4) {
    const w = k.random32();
    for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (w >>> (8 * j)) & 0xff;
  }
  k.clock.advance(copyCost(count));
  t.process.mem.write(buf, out);
  return count;
}

function encodeTimespec(sec: number, nsec: number): Uint8Array {
  const out = new Uint8Array(TIMESPEC_SIZE);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, BigInt(sec), true);
  v.setBigInt64(8, BigInt(nsec), true);
  return out;
}

/** A timespec from user memory, or an errno (EFAULT; EINVAL for tv_nsec out of range or negative tv_sec). */
function timespecFromUser(t: Thread, addr: number): { sec: bigint; nsec: bigint } | string {
  const raw = copyFromUser(t.process.mem, addr, TIMESPEC_SIZE);
  if (!raw) return 'EFAULT';
  const v = new DataView(raw.buffer, raw.byteOffset);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return 'EINVAL';
  return { sec, nsec };
}

/** Seconds + ns as a virtual duration in ns; ~285 years or more is "forever" (MAX_SAFE_INTEGER). */
function durationNs(sec: bigint, nsec: bigint): number {
  return sec > 9_000_000_000n ? Number.MAX_SAFE_INTEGER : Number(sec) * NSEC_PER_SEC + Number(nsec);
}

const REALTIME_CLOCKS: ReadonlySet<number> = new Set([0, 5, 8, 11]);

function validClock(clock: number): boolean {
  return clock >= 0 && clock < CLOCK_NAMES.length && CLOCK_NAMES[clock] !== undefined;
}

/** CLOCK_REALTIME and its variants count from the boot time given in the options; the others from boot. */
export function sysClockGettime(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const clock = argInt(r, 0);
  if (!validClock(clock)) return 'EINVAL';
  const now = k.clock.now();
  const sinceBoot = Math.floor(now / NSEC_PER_SEC);
  const sec = sinceBoot + (REALTIME_CLOCKS.has(clock) ? k.bootRealtimeSec : 0);
  return copyToUser(t.process.mem, argPtr(r, 1), encodeTimespec(sec, now - sinceBoot * NSEC_PER_SEC)) ? 0 : 'EFAULT';
}

/** Sleeps until the deadline fixed on the first attempt (restarts keep it). */
function sleepUntil(k: Kernel, t: Thread, deadline: number): HandlerResult {
  const call = t.pending!;
  call.deadline ??= deadline;
  if (k.clock.now() >= call.deadline) return 0;
  return { kind: 'sleep', until: call.deadline };
}

export function sysNanosleep(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  if (t.pending!.deadline !== null) return sleepUntil(k, t, t.pending!.deadline);
  const ts = timespecFromUser(t, argPtr(r, 0));
  if (typeof ts === 'string') return ts;
  return sleepUntil(k, t, k.clock.now() + durationNs(ts.sec, ts.nsec));
}

export function sysClockNanosleep(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  if (t.pending!.deadline !== null) return sleepUntil(k, t, t.pending!.deadline);
  const clock = argInt(r, 0);
  const flags = argInt(r, 1);
  if (!validClock(clock)) return 'EINVAL';
  if (clock === THREAD_CPUTIME_ID) return 'EOPNOTSUPP';
  const ts = timespecFromUser(t, argPtr(r, 2));
  if (typeof ts === 'string') return ts;
  if ((flags & TIMER_ABSTIME) === 0) return sleepUntil(k, t, k.clock.now() + durationNs(ts.sec, ts.nsec));
  // An absolute deadline on a realtime clock counts from the epoch: make it relative to boot.
  const bootSec = REALTIME_CLOCKS.has(clock) ? BigInt(k.bootRealtimeSec) : 0n;
  const sec = ts.sec - bootSec;
  return sleepUntil(k, t, sec < 0n ? 0 : durationNs(sec, ts.nsec));
}

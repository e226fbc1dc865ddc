// The targets the generator writes code for, and the ABI facts lowering depends on.
//
// TARGETS are the six product targets (each gets generated/ files). TEST_ABIS are
// extra ABIs that exist only to exercise lowering rules no product target uses
// (arm-style even register pairs, big-endian 64-bit splits); `inspect` accepts them,
// `generate` does not. Endianness matters only on 32-bit ABIs, where int64 and uint64
// travel as two words (mksyscall's -l32/-b32); `armPairs` inserts a zero word so a
// 64-bit pair starts at an even word index (mksyscall's -arm).

export type Os = 'linux' | 'freebsd' | 'darwin' | 'windows';

/** How wrappers enter the OS. */
export type CallConvention =
  | 'syscall' // Syscall/RawSyscall with a trap number (SYS_x)
  | 'libc' // darwin: syscall_syscall* through libc trampolines
  | 'dll'; // windows: SyscallN on a DLL procedure address

export interface Target {
  /** "linux/amd64" */
  name: string;
  os: Os;
  arch: string;
  wordBits: 32 | 64;
  endian: 'little' | 'big';
  armPairs: boolean;
  convention: CallConvention;
  /** Linux has SyscallNoError/RawSyscallNoError for calls without an err result. */
  noErrorVariants: boolean;
  /** How the kernel is entered, as the target descriptor describes it. */
  syscallInstruction: string;
  /** How a failure is reported by the kernel or library. */
  errorConvention: string;
  /** Whether defs/tables/<os>_<arch>.tsv exists for it (windows uses kernel32.def). */
  hasNumberTable: boolean;
}

function unixTarget(os: Os, arch: string, wordBits: 32 | 64, syscallInstruction: string, errorConvention: string): Target {
  return {
    name: `${os}/${arch}`,
    os,
    arch,
    wordBits,
    endian: 'little',
    armPairs: false,
    convention: os === 'darwin' ? 'libc' : 'syscall',
    noErrorVariants: os === 'linux',
    syscallInstruction,
    errorConvention,
    hasNumberTable: true,
  };
}

const LINUX_ERRORS = 'negative return value -4095..-1 is -errno';
const BSD_ERRORS = 'carry flag set, errno in the return register';

export const TARGETS: readonly Target[] = [
  unixTarget('linux', 'amd64', 64, 'SYSCALL (RAX = number)', LINUX_ERRORS),
  unixTarget('linux', '386', 32, 'INT $0x80 (EAX = number)', LINUX_ERRORS),
  unixTarget('linux', 'arm64', 64, 'SVC #0 (X8 = number)', LINUX_ERRORS),
  unixTarget('freebsd', 'amd64', 64, 'SYSCALL (RAX = number)', BSD_ERRORS),
  unixTarget('darwin', 'amd64', 64, 'libSystem trampoline, SYSCALL (RAX = 0x2000000 | nr)', BSD_ERRORS),
  {
    name: 'windows/amd64',
    os: 'windows',
    arch: 'amd64',
    wordBits: 64,
    endian: 'little',
    armPairs: false,
    convention: 'dll',
    noErrorVariants: false,
    syscallInstruction: 'CALL the DLL procedure (RCX, RDX, R8, R9, stack)',
    errorConvention: 'failure return value, error code from GetLastError',
    hasNumberTable: false,
  },
];

export const TEST_ABIS: readonly Target[] = [
  { ...unixTarget('linux', 'arm', 32, 'SVC #0 (R7 = number)', LINUX_ERRORS), armPairs: true },
  { ...unixTarget('linux', 'mips', 32, 'SYSCALL (V0 = number)', LINUX_ERRORS), endian: 'big' },
];

/** The target named `os/arch`, from TARGETS, or also TEST_ABIS when `withTestAbis`. */
export function findTarget(name: string, withTestAbis = false): Target | undefined {
  return TARGETS.find((t) => t.name === name) ?? (withTestAbis ? TEST_ABIS.find((t) => t.name === name) : undefined);
}

/** File-name stem of a target: linux_amd64. */
export function targetStem(t: Target): string {
  return `${t.os}_${t.arch}`;
}

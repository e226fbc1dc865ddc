// `mksyscall exec [--strace] FILE [args…]`: runs a static x86-64 Linux executable in
// user-mode emulation. The guest's fds 0, 1 and 2 are the process's own; the exit status
// is the guest's; a guest fault prints the signal, RIP, instruction and address on stderr
// and exits with 128 + signal. Like qemu-user, the guest sees the host's environment.
import { readFileSync, readSync, writeSync } from 'node:fs';
import { ElfError, parseElf } from '../loader/elf.ts';
import { execStatic } from '../usermode/index.ts';
import type { GuestIo } from '../usermode/syscalls.ts';

const EBADF = 9;
const EIO = 5;

/** Blocking writes to the host fd, retrying when a non-blocking pipe is momentarily full. */
function writeAll(fd: number, bytes: Uint8Array): number {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return done || -32;
      return done || -EIO;
    }
  }
  return done;
}

export const processIo: GuestIo = {
  write(fd, bytes) {
    if (fd !== 1 && fd !== 2) return -EBADF;
    return writeAll(fd, bytes);
  },
  read(fd, length) {
    if (fd !== 0) return -EBADF;
    const buf = new Uint8Array(Math.min(length, 1 << 16));
    for (;;) {
      try {
        return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') return buf.subarray(0, 0);
        return -EIO;
      }
    }
  },
};

export function runExec(file: string, args: string[], opts: { strace?: boolean }): number {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    process.stderr.write(`mksyscall exec: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const elf = parseElf(bytes, file);
    const envp = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
    const result = execStatic(elf, {
      argv: [file, ...args],
      envp,
      io: processIo,
      ...(opts.strace ? { strace: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
    if (result.message) process.stderr.write(`mksyscall exec: ${result.message}\n`);
    return result.status;
  } catch (e) {
    if (e instanceof ElfError) {
      process.stderr.write(`mksyscall exec: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

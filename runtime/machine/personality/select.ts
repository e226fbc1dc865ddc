// `new Machine({ target })` for every target that executes. linux, freebsd and darwin
// (amd64) share the SYSCALL machine (machine.ts) under their personality; windows/amd64
// has no SYSCALL path and gets a WindowsMachine (./windows.ts), which offers the same
// run, go, alloc and mem (its kernel is a WindowsKernel). The runtime's public Machine is
// this constructor; instanceof and the class's statics are the SYSCALL machine's.
import { Machine as SyscallMachine, type MachineOptions } from '../machine.ts';
import { WindowsMachine } from './windows.ts';

export const Machine: typeof SyscallMachine = new Proxy(SyscallMachine, {
  construct(target, args: [MachineOptions]) {
    const t = args[0].target;
    return t.os === 'windows' && t.arch === 'amd64' ? new WindowsMachine(args[0]) : new target(...args);
  },
});
export type Machine = SyscallMachine;

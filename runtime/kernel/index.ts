// The kernel's public surface: what the machine, the scheduler, the tracer and tests use.
export * from './clock.ts';
export * from './driver.ts';
export * from './kernel.ts';
export * from './regs.ts';
export * from './tables.ts';
export type { Block } from './waitqueue.ts';
export { WaitQueue } from './waitqueue.ts';
export type { SeedFile, HostMount } from './vfs.ts';
export { Process, Thread, type PendingCall } from './process.ts';
export { OutputStream } from './file.ts';
export * as linux from './linux/abi.ts';

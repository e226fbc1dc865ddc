// The CPU core's public surface: everything other parts of the project may import from
// runtime/cpu. Nothing here imports any other part of the project.
export * from './faults.ts';
export * from './memory.ts';

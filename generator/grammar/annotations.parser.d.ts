// Compiled from annotations.peggy by `npm run build:grammars`; do not edit.
import type { LocationRange } from 'peggy';
export interface ParseOptions { startRule?: string; grammarSource?: unknown; [key: string]: unknown }
export declare function parse(input: string, options?: ParseOptions): any;
export declare class SyntaxError extends Error {
  expected: Array<{ type: string; description?: string; text?: string }> | null;
  found: string | null;
  location: LocationRange;
  format(sources: Array<{ source: unknown; text: string }>): string;
}

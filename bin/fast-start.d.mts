// Types of bin/fast-start.mjs (plain JavaScript, so Node can run it before any TypeScript loader).
export declare const GENERATOR_COMMANDS: string[];
export declare function loadBundle(root: string, entry: string, cacheDir?: string): Promise<Record<string, unknown> | null>;
export declare function loadGeneratorCli(): Promise<((argv: string[]) => Promise<number>) | null>;

// Reader for Windows module-definition (.def) files: the exported procedure names of a
// DLL, in file order. Invariants: exports appear only after an EXPORTS statement and
// each name is exported once. Ordinals, decorations (Name@N) and flags are parsed and
// dropped: the project binds procedures by name, as mkwinsyscall's NewProc does.
import * as parser from '../grammar/module-def.parser.js';
import { parseWith, tableError } from './errors.ts';

interface Export {
  kind: 'export';
  name: string;
  line: number;
  column: number;
}

type Statement =
  | Export
  | { kind: 'library'; name: string | null; line: number; column: number }
  | { kind: 'exports'; first: Export | null; line: number; column: number }
  | { kind: 'other'; keyword: string };

export interface ModuleDefinition {
  library: string | null;
  exports: string[];
}

export function readModuleDef(text: string, file: string): ModuleDefinition {
  let library: string | null = null;
  let inExports = false;
  const exports: Export[] = [];
  const seen = new Map<string, Export>();
  const addExport = (e: Export) => {
    if (!inExports) throw tableError(file, text, e.line, e.column, `expected EXPORTS before the export ${e.name}`);
    const earlier = seen.get(e.name);
    if (earlier) throw tableError(file, text, e.line, e.column, `${e.name} is already exported at line ${earlier.line}`);
    seen.set(e.name, e);
    exports.push(e);
  };
  for (const s of parseWith<Statement[]>(parser.parse, text, file)) {
    if (s.kind === 'library') {
      library = s.name;
      inExports = false;
    } else if (s.kind === 'exports') {
      inExports = true;
      if (s.first) addExport(s.first);
    } else if (s.kind === 'export') {
      addExport(s);
    } else {
      inExports = false;
    }
  }
  return { library, exports: exports.map((e) => e.name) };
}

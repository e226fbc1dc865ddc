// Importer for errno fact sheets: TAB-separated `name number message` rows with a header
// (the form the upstream errno and Win32 error lists are kept in), plus an optional
// alias sheet `name alias_of number note`. Alias rules:
//   - the alias's number must equal its target's number;
//   - alias_of '-' marks a marker such as ELAST ("largest errno"): it becomes an alias
//     of the errno that has that number;
//   - an alias whose name is also an errno row is left out: the row is the value user
//     code sees (darwin's legacy EOPNOTSUPP = ENOTSUP applies only to pre-UNIX03 code,
//     while EOPNOTSUPP is 102 for everything current).
import { IDENTIFIER, NUMBER, TsvReader } from './tsv.ts';
import type { ErrnoAlias, ErrnoEntry } from './types.ts';

export interface ErrnoFacts {
  entries: ErrnoEntry[];
  aliases: ErrnoAlias[];
}

export function importErrnoFacts(text: string, file: string, aliasSheet?: { text: string; file: string }): ErrnoFacts {
  const tsv = new TsvReader(file, text);
  const entries: ErrnoEntry[] = [];
  const byName = new Map<string, ErrnoEntry & { line: number }>();
  const byNumber = new Map<number, ErrnoEntry & { line: number }>();
  for (const row of tsv.dataRows(['name', 'number', 'message'])) {
    const name = tsv.cell(row, 0, IDENTIFIER, 'an error name');
    const number = Number(tsv.cell(row, 1, NUMBER, 'an error number'));
    const message = row.fields[2]!.text;
    const clash = byName.get(name) ?? byNumber.get(number);
    if (clash) throw tsv.error(row.line, row.fields[clash.name === name ? 0 : 1]!.column, `${name} ${number} clashes with ${clash.name} ${clash.number} at line ${clash.line}`);
    const entry = { name, number, message };
    byName.set(name, { ...entry, line: row.line });
    byNumber.set(number, { ...entry, line: row.line });
    entries.push(entry);
  }
  const aliases: ErrnoAlias[] = [];
  if (aliasSheet) {
    const sheet = new TsvReader(aliasSheet.file, aliasSheet.text);
    for (const row of sheet.dataRows(['name', 'alias_of', 'number', 'note'])) {
      const name = sheet.cell(row, 0, IDENTIFIER, 'an alias name');
      const target = sheet.cell(row, 1, /^(-|[A-Za-z_][A-Za-z0-9_]*)$/, "an errno name or '-'");
      const number = Number(sheet.cell(row, 2, NUMBER, 'an error number'));
      if (byName.has(name)) continue;
      const resolved = target === '-' ? byNumber.get(number) : byName.get(target);
      if (!resolved) throw sheet.error(row.line, row.fields[target === '-' ? 2 : 1]!.column, target === '-' ? `expected an errno with number ${number}` : `expected an errno of ${file}, found ${target}`);
      if (resolved.number !== number) throw sheet.error(row.line, row.fields[2]!.column, `expected ${resolved.number}, the number of ${resolved.name}, found ${number}`);
      aliases.push({ name, target: resolved.name });
    }
  }
  return { entries: entries.sort((a, b) => a.number - b.number), aliases };
}

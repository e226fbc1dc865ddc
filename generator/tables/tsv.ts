// Tab-separated tables: the project's own defs/tables/*.tsv and defs/errors/*.tsv and
// the errno fact sheets. A line is a '#' comment, empty, or TAB-separated cells; a
// header row names the columns, then every row has that many cells, each validated
// where it stands so errors point at the cell. The format is too plain to need a
// grammar: splitting lines keeps loading all tables to a few milliseconds, which
// matters because every `mksyscall generate` reads them.
import { tableError } from './errors.ts';

export interface Cell {
  text: string;
  column: number;
}

export interface Row {
  kind: 'row';
  fields: Cell[];
  line: number;
}

interface Comment {
  kind: 'comment';
  text: string;
  line: number;
}

export const NUMBER = /^(0|[1-9][0-9]*)$/;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class TsvReader {
  readonly comments: Comment[] = [];
  readonly rows: Row[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    text.split('\n').forEach((raw, index) => {
      const line = index + 1;
      const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (content.startsWith('#')) {
        this.comments.push({ kind: 'comment', text: content.slice(1), line });
      } else if (content !== '') {
        let column = 1;
        const fields = content.split('\t').map((cell) => {
          const c = { text: cell, column };
          column += cell.length + 1;
          return c;
        });
        this.rows.push({ kind: 'row', fields, line });
      }
    });
  }

  error(line: number, column: number, problem: string): Error {
    return tableError(this.file, this.text, line, column, problem);
  }

  /** Checks the header row and returns the data rows, each checked to have `counts` cells. */
  dataRows(header: readonly string[], counts: readonly number[] = [header.length]): Row[] {
    const [head, ...rows] = this.rows;
    const expected = header.join('<TAB>');
    if (!head) throw this.error(this.text.split('\n').length, 1, `expected the header row ${expected}`);
    if (head.fields.map((f) => f.text).join('\t') !== header.join('\t')) throw this.error(head.line, 1, `expected the header row ${expected}`);
    for (const row of rows) {
      if (!counts.includes(row.fields.length)) {
        const last = row.fields[row.fields.length - 1]!;
        const column = row.fields.length > Math.max(...counts) ? row.fields[Math.max(...counts)]!.column : last.column + last.text.length;
        throw this.error(row.line, column, `expected ${counts.join(' or ')} TAB-separated cells (${header.join(', ')}), found ${row.fields.length}`);
      }
    }
    return rows;
  }

  /** The cell's text when it matches `pattern`, else a located error naming `what`. */
  cell(row: Row, index: number, pattern: RegExp, what: string): string {
    const c = row.fields[index]!;
    if (!pattern.test(c.text)) throw this.error(row.line, c.column, `expected ${what}, found ${c.text === '' ? 'an empty cell' : JSON.stringify(c.text)}`);
    return c.text;
  }
}

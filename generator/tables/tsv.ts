// Row-level checks shared by every TAB-separated format (the project's own tables and
// the errno fact sheets): a header row naming the columns, then rows with exactly that
// many cells, each cell validated where it stands so errors point at the cell.
import * as parser from '../grammar/tsv.parser.js';
import { parseWith, tableError } from './errors.ts';

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
    for (const line of parseWith<Array<Row | Comment>>(parser.parse, text, file)) {
      if (line.kind === 'comment') this.comments.push(line);
      else this.rows.push(line);
    }
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

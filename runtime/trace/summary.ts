// strace -c: per-call counts, errors and time, printed in strace's table layout.
//
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    60.00    0.000003           1         2           read
//   ...
//   ------ ----------- ----------- --------- --------- ----------------
//   100.00    0.000005           0         9         1 total
//
// Rows are sorted by time, most first; equal times keep syscall-number order, as strace
// shows them. Calls that never return (exit, exit_group) are not counted, as in strace. Time is each call's virtual duration (blocked time included), truncated to
// microseconds; an error column is blank when a call never failed.
interface Row {
  nr: number;
  name: string;
  calls: number;
  errors: number;
  ns: number;
}

const RULE = '------ ----------- ----------- --------- --------- ----------------';

export class Summary {
  private readonly rows = new Map<string, Row>();

  record(nr: number, name: string, result: number, ns: number): void {
    let row = this.rows.get(name);
    if (!row) {
      row = { nr, name, calls: 0, errors: 0, ns: 0 };
      this.rows.set(name, row);
    }
    row.calls++;
    row.ns += ns;
    if (result < 0 && result > -4096) row.errors++;
  }

  format(): string {
    const rows = [...this.rows.values()].sort((a, b) => b.ns - a.ns || a.nr - b.nr);
    const totalNs = rows.reduce((n, r) => n + r.ns, 0);
    const totalCalls = rows.reduce((n, r) => n + r.calls, 0);
    const totalErrors = rows.reduce((n, r) => n + r.errors, 0);
    const line = (pct: number, ns: number, calls: number, errors: number, name: string) => {
      const us = Math.floor(ns / 1000);
      const secs = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
      const perCall = calls > 0 ? Math.floor(us / calls) : 0;
      return [
        pct.toFixed(2).padStart(6),
        secs.padStart(11),
        String(perCall).padStart(11),
        String(calls).padStart(9),
        (errors > 0 ? String(errors) : '').padStart(9),
        name,
      ].join(' ');
    };
    const out = ['% time     seconds  usecs/call     calls    errors syscall', RULE];
    for (const r of rows) out.push(line(totalNs > 0 ? (100 * r.ns) / totalNs : 0, r.ns, r.calls, r.errors, r.name));
    out.push(RULE, line(100, totalNs, totalCalls, totalErrors, 'total'));
    return out.join('\n') + '\n';
  }
}

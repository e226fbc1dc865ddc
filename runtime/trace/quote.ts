// strace's quoting of strings and buffers (its default `-s 32`, without -x).
//
// Bytes 0x20..0x7e print as themselves except `"` and `\`, which are escaped; \t \n \v \f
// \r use their C escapes; any other byte is octal, with the fewest digits unless the next
// byte is an octal digit, which forces three (so "\1" followed by "7" prints "\0017").
// A buffer longer than the limit prints its first `limit` bytes and `...` after the
// closing quote. Hex mode (getrandom's buffer) prints every byte as \xHH.

export const DEFAULT_STRING_LIMIT = 32;

const C_ESCAPES: Record<number, string> = { 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

export function quoteBytes(bytes: Uint8Array, opts: { limit?: number; hex?: boolean } = {}): string {
  const limit = opts.limit ?? DEFAULT_STRING_LIMIT;
  const shown = bytes.subarray(0, limit);
  let out = '"';
  for (let i = 0; i < shown.length; i++) {
    const c = shown[i]!;
    if (opts.hex) {
      out += '\\x' + c.toString(16).padStart(2, '0');
    } else if (C_ESCAPES[c] !== undefined) {
      out += C_ESCAPES[c];
    } else if (c >= 0x20 && c <= 0x7e) {
      out += String.fromCharCode(c);
    } else {
      const next = i + 1 < shown.length ? shown[i + 1]! : -1;
      const oct = c.toString(8);
      out += '\\' + (next >= 0x30 && next <= 0x37 ? oct.padStart(3, '0') : oct);
    }
  }
  return out + '"' + (bytes.length > limit ? '...' : '');
}

/** One parsed row: its fields and the line it starts on (1-based). */
export interface CsvRow {
  readonly fields: string[];
  readonly line: number;
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * RFC 4180 rows: `sep`-separated fields, `"` quoting with `""` for a quote, line breaks inside
 * quotes kept. Blank lines are skipped; a UTF-8 byte order mark is dropped.
 */
export function parseCsv(text: string, sep: ',' | '\t'): CsvResult {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quotedRow = false;
    for (;;) {
      if (i < n && text[i] === '"' && field === '') {
        quotedRow = true;
        i++;
        for (;;) {
          if (i >= n) return { ok: false, line: start, message: 'a quoted field is never closed' };
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') {
          return { ok: false, line, message: 'text after a closing quote' };
        }
      } else {
        while (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      field = '';
      if (i < n && text[i] === sep) {
        i++;
        continue;
      }
      if (i < n && text[i] === '\r') i++;
      if (i < n && text[i] === '\n') i++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '' && !quotedRow) continue;
    rows.push({ fields, line: start });
  }
  return { ok: true, rows };
}

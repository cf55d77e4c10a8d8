/** HTML-escapes text for element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Markup that is already safe: made by this module's helpers from escaped text. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

/** A table cell: text (escaped here), or markup, optionally with a class. */
export type Cell =
  | string
  | number
  | Html
  | { readonly cell: string | number | Html; readonly cls?: string; readonly span?: number };

function cellHtml(c: Cell, tag: 'td' | 'th'): string {
  if (typeof c === 'object' && 'cell' in c) {
    const attrs = `${c.cls ? ` class="${esc(c.cls)}"` : ''}${c.span && c.span > 1 ? ` rowspan="${c.span}"` : ''}`;
    return `<${tag}${attrs}>${content(c.cell)}</${tag}>`;
  }
  return `<${tag}>${content(c)}</${tag}>`;
}

function content(c: string | number | Html): string {
  return typeof c === 'object' ? c.html : esc(String(c));
}

/** A table with a header row; every cell's text is escaped. `rows` may skip cells under a rowspan. */
export function table(
  id: string,
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  cls = '',
): string {
  const h = head.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`).join('\n');
  return `<table id="${esc(id)}"${cls ? ` class="${esc(cls)}"` : ''}><thead><tr>${h}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A two-column table of labelled values (the summary). */
export function facts(id: string, rows: readonly (readonly [string, Cell])[]): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th>${cellHtml(v, 'td')}</tr>`).join('\n');
  return `<table id="${esc(id)}" class="facts"><tbody>\n${body}\n</tbody></table>`;
}

/** A section of the page with its heading. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

export function para(text: string): string {
  return `<p>${esc(text)}</p>`;
}

/**
 * The whole page. Its content security policy forbids every fetch: scripts, fonts, images and
 * styles from anywhere but the page itself, so opening it never touches the network.
 */
export function page(title: string, nav: readonly [string, string][], body: string): string {
  const links = nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><nav>${links}</nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}

const CSS = `
:root{--ok:#2e9e5b;--fail:#d64545;--timeout:#e08a1e;--oom:#8e44ad;--lost:#5d6d7e;--cancel:#9aa0a6;--run:#3b7dd8;--wait:#c9d6e8;--skip:#e4c65b;--up:#b9dfc8;--line:#d0d4da;--fg:#1d232b;--mute:#5f6b7a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
header{padding:12px 24px;border-bottom:1px solid var(--line);background:#f6f8fa}
h1{font-size:20px;margin:0 0 6px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 8px}
nav a{margin-right:14px;color:var(--run);text-decoration:none}
main{padding:0 24px 40px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f0f3f6;position:sticky;top:0}
td.n{text-align:right}
table.facts th{background:#f6f8fa;font-weight:600;width:13em}
.mute{color:var(--mute)}
pre{background:#f6f8fa;border:1px solid var(--line);padding:8px;overflow:auto;max-height:24em;margin:6px 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
details{margin:0}
summary{cursor:pointer;list-style:none}
summary::-webkit-details-marker{display:none}
.st-succeeded{color:var(--ok)}.st-failed{color:var(--fail)}.st-skipped{color:#9a7b00}.st-cancelled{color:var(--cancel)}
.tl{overflow-x:auto}
.tl svg{display:block}
.tl .axis{position:sticky;top:0;background:#fff;z-index:1}
.tl text{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:var(--fg)}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:18px;height:10px;margin-right:5px;vertical-align:middle}
.dag{overflow:auto;border:1px solid var(--line)}
.dag text{font:11px system-ui,sans-serif}
.dag .nm{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.fail-item{border:1px solid var(--line);padding:6px 10px;margin:8px 0}
.fail-item summary{font-weight:600}
`;

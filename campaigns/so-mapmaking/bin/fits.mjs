// The little of FITS the stand-ins need: a primary HDU of float64 pixels, written and read.
import { readFileSync, writeFileSync } from 'node:fs';

const card = (k, v) => `${k.padEnd(8)}= ${String(v).padStart(20)}`.padEnd(80);
const pad = (n) => Math.ceil(n / 2880) * 2880;

/** Writes `data` (a Float64Array, fastest axis first) with the given axes and extra header cards. */
export function writeFits(file, axes, data, extra = {}) {
  const cards = [card('SIMPLE', 'T'), card('BITPIX', -64), card('NAXIS', axes.length)];
  axes.forEach((n, i) => cards.push(card(`NAXIS${i + 1}`, n)));
  for (const [k, v] of Object.entries(extra)) cards.push(card(k, typeof v === 'string' ? `'${v}'` : v));
  cards.push('END'.padEnd(80));
  const head = Buffer.alloc(pad(cards.length * 80), ' ');
  head.write(cards.join(''), 'latin1');
  const body = Buffer.alloc(pad(data.length * 8));
  data.forEach((x, i) => body.writeDoubleBE(x, i * 8));
  writeFileSync(file, Buffer.concat([head, body]));
}

/** The header cards of a FITS file, and its pixels when it has any. */
export function readFits(file) {
  const buf = readFileSync(file);
  const header = {};
  let at = 0;
  for (;; at += 80) {
    if (at + 80 > buf.length) throw new Error(`${file}: not a FITS file (no END card)`);
    const c = buf.toString('latin1', at, at + 80);
    if (c.startsWith('END ')) break;
    const m = /^(\S+)\s*=\s*'?([^'/]*?)'?\s*(\/.*)?$/.exec(c);
    if (m) header[m[1]] = /^-?[0-9.]+$/.test(m[2]) ? Number(m[2]) : m[2].trim();
  }
  if (header.SIMPLE !== 'T') throw new Error(`${file}: not a FITS file (no SIMPLE = T)`);
  const start = pad(at + 80);
  const n = Array.from({ length: header.NAXIS ?? 0 }, (_, i) => header[`NAXIS${i + 1}`]).reduce((a, b) => a * b, 1);
  const data = new Float64Array(header.NAXIS ? n : 0);
  if (header.BITPIX === -64 && buf.length >= start + data.length * 8) for (let i = 0; i < data.length; i++) data[i] = buf.readDoubleBE(start + i * 8);
  return { header, data };
}

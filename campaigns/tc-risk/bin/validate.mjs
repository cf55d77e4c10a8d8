// What makes a draw's outputs valid, shared by the check (bin/check-draw.mjs) and the status
// scan of Level 0 (bin/status.mjs). Stand-ins for the seeds' formats:
//   draw_NNN.nc    a NetCDF-like file: the magic header `CDF\x01`, a newline, then JSON
//   draw_NNN.zarr  a Zarr-like directory: `.zarray` metadata (JSON with `shape` and `chunks`)
//                  and the chunk file `0` holding as many numbers as the shape says
import { existsSync, readFileSync } from 'node:fs';

export const MAGIC = 'CDF\x01\n';

/** `missing`, `invalid` or `valid`. */
export function netcdfState(file) {
  if (!existsSync(file)) return 'missing';
  try {
    const text = readFileSync(file, 'latin1');
    if (!text.startsWith(MAGIC)) return 'invalid';
    return Number.isInteger(JSON.parse(text.slice(MAGIC.length)).storms) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** `missing`, `invalid` or `valid`. */
export function zarrState(dir) {
  if (!existsSync(dir)) return 'missing';
  try {
    const meta = JSON.parse(readFileSync(`${dir}/.zarray`, 'utf8'));
    const values = JSON.parse(readFileSync(`${dir}/0`, 'utf8'));
    return meta.zarr_format === 2 && Array.isArray(values) && values.length === meta.shape[0] ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

#!/usr/bin/env node
// Validates a map before anything uses it: a FITS file of finite pixels made of at least one observation.
import { readFits } from './fits.mjs';

try {
  const { header, data } = readFits(process.argv[2]);
  if (!(header.NOBS > 0)) throw new Error('made of no observation (NOBS)');
  if (data.length === 0 || !data.every(Number.isFinite)) throw new Error('no pixels, or pixels that are not finite');
} catch (e) {
  console.error(`invalid map ${process.argv[2]}: ${e.message}`);
  process.exit(1);
}

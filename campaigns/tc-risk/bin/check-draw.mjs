#!/usr/bin/env node
// Validates one draw's outputs: the NetCDF-like file and the Zarr-like directory. Exit 1 if either
// is missing or corrupt.
import { netcdfState, zarrState } from './validate.mjs';

const [nc, zarr] = process.argv.slice(2);
process.exit(netcdfState(nc) === 'valid' && zarrState(zarr) === 'valid' ? 0 : 1);

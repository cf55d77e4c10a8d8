#!/usr/bin/env node
// Builds the task launcher (native/campaign-exec.c) into libexec/ when a C compiler is
// present. Without one, campaign uses native/campaign-exec.sh, which records no peak memory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
mkdirSync(join(root, 'libexec'), { recursive: true });
for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
  try {
    // Built aside and renamed into place, so a running campaign never sees half a binary.
    const tmp = join(root, `libexec/.campaign-exec-${process.pid}`);
    execFileSync(cc, ['-O2', '-Wall', '-o', tmp, join(root, 'native/campaign-exec.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(tmp, join(root, 'libexec/campaign-exec'));
    process.exit(0);
  } catch {
    // try the next compiler
  }
}
console.warn('campaign: no C compiler found; tasks run through native/campaign-exec.sh (peak memory only where a memory request is enforced)');

import type { Submission } from '../contract.js';

/**
 * Pieces the generated job scripts of every batch adapter share: what the tasks of one script
 * have in common (written once in the header), and how the wrapper reads the command's
 * resource use once it has ended.
 */

/** Variables with the same value in every submission (exported once in the header). */
export function commonEnv(subs: readonly Submission[]): Record<string, string> {
  const first = subs[0]?.env ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (subs.every((x) => x.env[k] === v)) out[k] = v;
  }
  return out;
}

/** The value every entry has, if they all have the same. */
export function common(values: readonly string[]): string | undefined {
  const first = values[0];
  return values.every((v) => v === first) ? first : undefined;
}

/** The longest folder (with its trailing `/`) that holds every path. */
export function commonDir(paths: readonly string[]): string {
  let p = paths[0] ?? '';
  for (const q of paths) {
    while (p !== '' && !q.startsWith(p)) p = p.slice(0, -1);
  }
  return p.slice(0, p.lastIndexOf('/') + 1);
}

/**
 * Reads the command's peak memory and CPU time after it ended: from `/usr/bin/time`'s file
 * when the wrapper ran it under time (its signal too), else CPU time from `times`.
 */
export const WRAPPER_RUSAGE = [
  'campaign_end=$(campaign_now) campaign_rss=-1 campaign_cpu=',
  'if [ -s "${campaign_rusage:-}" ]; then',
  '  while read -r a b c d e; do',
  '    case $a in',
  `      campaign-rusage) campaign_rss=$b; campaign_cpu=$(awk -v u="$c" -v s="$d" 'BEGIN { printf "%d", (u + s) * 1000 }') ;;`,
  '      Command) [ "$b" = terminated ] && campaign_sig=$e ;;',
  '    esac',
  '  done <"$campaign_rusage"',
  'elif [ "$campaign_code" -gt 128 ]; then',
  '  campaign_sig=$((campaign_code - 128))',
  'fi',
  'rm -f -- "${campaign_rusage:-}"',
  'if [ -z "$campaign_cpu" ]; then',
  `  campaign_cpu=$(times | sed -n 2p | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }')`,
  'fi',
];

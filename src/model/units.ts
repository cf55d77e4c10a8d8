const MEMORY = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KkMmGgTtPp](?:[Ii]?[Bb])?|[Bb])\s*$/;
const FACTORS: Record<string, number> = {
  b: 1 / (1024 * 1024),
  k: 1 / 1024,
  m: 1,
  g: 1024,
  t: 1024 * 1024,
  p: 1024 ** 3,
};

/** Memory in MiB (binary units, as Slurm reads them: 1G = 1024M), or undefined if malformed. */
export function parseMemory(text: string): number | undefined {
  const m = MEMORY.exec(text);
  if (!m) return undefined;
  const factor = FACTORS[m[2]![0]!.toLowerCase()]!;
  return Math.ceil(Number(m[1]) * factor);
}

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/**
 * A duration in seconds: unit form (`90m`, `2h30m`, `2d`, `45s`) or Slurm's clock form
 * (`MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`). Undefined if malformed.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const units = /^(?:([0-9]+(?:\.[0-9]+)?)\s*([dhms])\s*)+$/.test(s);
  if (units) {
    let total = 0;
    for (const m of s.matchAll(/([0-9]+(?:\.[0-9]+)?)\s*([dhms])/g))
      total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    return Math.round(total);
  }
  const clock = /^(?:([0-9]+)-)?([0-9]+)(?::([0-9]{1,2}))?(?::([0-9]{1,2}))?$/.exec(s);
  if (!clock) return undefined;
  const [, days, a, b, c] = clock;
  const d = Number(days ?? 0);
  if (days !== undefined) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    return d * 86_400 + Number(a) * 3_600 + Number(b ?? 0) * 60 + Number(c ?? 0);
  }
  if (b === undefined) return undefined; // a bare number is ambiguous; the schema asks for a unit
  if (c === undefined) return Number(a) * 60 + Number(b); // MM:SS
  return Number(a) * 3_600 + Number(b) * 60 + Number(c); // HH:MM:SS
}

/** `5400` → `1h30m`; `93784` → `1d2h3m4s`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** `4096` MiB → `4G`; `1536` → `1.5G`; `500` → `500M`. */
export function formatMemory(mib: number): string {
  if (mib >= 1024 * 1024 && mib % (1024 * 1024) === 0) return `${mib / (1024 * 1024)}T`;
  if (mib >= 1024 && (mib * 10) % 1024 === 0) return `${mib / 1024}G`;
  return `${mib}M`;
}

/** Longest job name this adapter gives (Grid Engine takes 512 characters). */
const MAX = 200;

/**
 * The job name of one submission: `<campaign>.<run id>.<token>`, unique per submission so a
 * job can be found again by name. Grid Engine rejects `/ : @ \ * ?`, white space and a
 * leading digit; everything but letters, digits, `.`, `_` and `-` becomes `_`, a name that
 * would start with a digit or `.` gets a `c` in front, and the campaign part is shortened
 * so the whole stays within 200 characters.
 */
export function jobName(campaign: string, runId: string, token: string): string {
  const tail = `.${safe(runId)}.${safe(token)}`;
  let head = safe(campaign);
  if (!/^[A-Za-z_-]/.test(head)) head = `c${head}`;
  return `${head.slice(0, Math.max(1, MAX - tail.length))}${tail}`;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** The prefix every job name of a run starts with (for name patterns in qacct). */
export function runPrefix(name: string): string {
  return name.slice(0, name.lastIndexOf('.') + 1);
}

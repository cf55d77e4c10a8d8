import { spawnSync } from 'node:child_process';
import type { Assembler, Piece } from './piece.js';
import { CollectProblem } from './problem.js';
import type { Sink } from './sink.js';

/**
 * Any other format: the user's command runs once per file, in run order, with the file's path
 * as its last argument and `CAMPAIGN_RUN_ID` / `CAMPAIGN_COLLECT_FILE` in its environment; its
 * standard output is appended to the dataset. The command is an argv, run without a shell,
 * so no path or run id is ever read as shell code.
 */
export class CommandAssembler implements Assembler {
  constructor(private readonly argv: readonly string[]) {}

  add(piece: Piece, sink: Sink): void {
    sink.flush();
    const [cmd, ...args] = this.argv;
    const r = spawnSync(cmd!, [...args, piece.file], {
      stdio: ['ignore', sink.fd, 'inherit'],
      env: { ...process.env, CAMPAIGN_RUN_ID: piece.run, CAMPAIGN_COLLECT_FILE: piece.file },
    });
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT')
      throw new CollectProblem('command-failed', `cannot run \`${cmd}\`: command not found`, 2);
    if (r.error) throw new CollectProblem('command-failed', `cannot run \`${cmd}\`: ${r.error.message}`, 1);
    if (r.status !== 0)
      throw new CollectProblem(
        'command-failed',
        `\`${this.argv.join(' ')}\` ${r.signal ? `was killed by ${r.signal}` : `exited with ${r.status}`} on the file of run ${piece.run} (${piece.shown})`,
        1,
      );
  }

  end(): void {}
}

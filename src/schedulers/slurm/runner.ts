// The runner is shared by the batch adapters; this path stays for the commands that import it.
export { type CommandResult, type CommandRunner, execaRunner, firstLine } from '../batch/runner.js';

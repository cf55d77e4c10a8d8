import type { WorkflowType } from '../types.js';

/** The default type: `command = ...` on a node is `workflow = "command"` with `params.command`. */
export const commandType: WorkflowType<{ command: string | readonly string[] }> = {
  name: 'command',
  description: 'Runs a command: a string for the shell, or an argv array run directly.',
  paramsSchema: {
    type: 'object',
    required: ['command'],
    additionalProperties: false,
    properties: {
      command: {
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string' }, minItems: 1 },
        ],
      },
    },
  },
  command: (params) => params.command,
};

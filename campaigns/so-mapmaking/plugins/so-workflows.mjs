// A campaign plugin (docs/plugins.md): a custom workflow type, as the SO campaign manager's
// "Creating Custom Workflows" makes one (a class with custom_param and threshold = 0.5, and
// registered_workflows['my-custom'] = ...). Here the type is a plain object; a table named after
// it, [campaign.null-report], takes its parameters as keys, checked against paramsSchema.
/** @type {import('../../../src/model/workflows/types.js').WorkflowType} */
const nullReport = {
  name: 'null-report',
  description: 'Chi-square of the half-difference maps of every null test, against the noise',
  paramsSchema: {
    type: 'object',
    required: ['maps', 'out'],
    additionalProperties: false,
    properties: {
      maps: { type: 'string', description: 'The folder of the null tests: one folder per split map' },
      out: { type: 'string', description: 'The report (TSV)' },
      threshold: { type: 'number', exclusiveMinimum: 0, description: 'Largest |chi2/dof - 1| that passes' },
      executable: { type: 'string', description: 'The program (default bin/null-report.mjs)' },
    },
  },
  // get_command() + get_arguments(): an argv, so no value is ever read by a shell.
  command: (p) => [
    'node',
    p.executable ?? 'bin/null-report.mjs',
    '--maps',
    p.maps,
    '--threshold',
    String(p.threshold ?? 0.5),
    '--out',
    p.out,
  ],
  resources: () => ({ cores: 1, memory: '128M', runtime: '10s' }),
};

export default { name: 'so-workflows', workflows: [nullReport] };

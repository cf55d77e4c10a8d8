// Outputs are a model concept (`skip_complete` checks them at load time); the engine checks
// them after each attempt through this re-export.
export { missingOutputs } from '../model/outputs.js';

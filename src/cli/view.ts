// The view lives in ui/; commands still import it from here.

export { tail } from '../ui/log-tail.js';
export * from '../ui/view.js';

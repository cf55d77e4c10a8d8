import { SGE } from './clusters.js';
import { schedulerSuite } from './suite.js';

schedulerSuite(SGE);

import { SLURM } from './clusters.js';
import { schedulerSuite } from './suite.js';

schedulerSuite(SLURM);

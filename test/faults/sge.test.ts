import { SGE } from '../batch/clusters.js';
import { faultSuite } from './batch.js';

faultSuite(SGE, 'qsub', 'Grid Engine');

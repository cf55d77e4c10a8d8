import { SLURM } from '../batch/clusters.js';
import { faultSuite } from './batch.js';

faultSuite(SLURM, 'sbatch', 'Slurm');

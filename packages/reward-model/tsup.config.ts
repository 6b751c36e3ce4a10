import { ocrmTsupConfig } from '../../tsup.shared';

// `src/reward-model-replica.ts` is what a data-parallel worker imports (`@ocrm/reward-model/replica`).
export default ocrmTsupConfig({ entry: ['src/index.ts', 'src/reward-model-replica.ts'] });

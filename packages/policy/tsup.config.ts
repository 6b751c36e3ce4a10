import { ocrmTsupConfig } from '../../tsup.shared';

// `src/sft/sft-replica.ts` is what a data-parallel worker imports (`@ocrm/policy/sft-replica`).
export default ocrmTsupConfig({ entry: ['src/index.ts', 'src/sft/sft-replica.ts'] });

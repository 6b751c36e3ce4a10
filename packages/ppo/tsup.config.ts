import { ocrmTsupConfig } from '../../tsup.shared';

// `src/ppo-replica.ts` is what data-parallel workers import (`@ocrm/ppo/replica`).
export default ocrmTsupConfig({ entry: ['src/index.ts', 'src/ppo-replica.ts'] });

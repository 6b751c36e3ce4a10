import { ocrmTsupConfig } from '../../tsup.shared';

// `src/replica.ts` is what data-parallel workers import (`@ocrm/policy/replica`).
export default ocrmTsupConfig({ entry: ['src/index.ts', 'src/replica.ts'] });

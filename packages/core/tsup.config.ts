import { ocrmTsupConfig } from '../../tsup.shared';

export default ocrmTsupConfig({ entry: ['src/index.ts', 'src/test/index.ts'], external: ['vitest'] });

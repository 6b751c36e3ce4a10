import { ocrmTsupConfig } from '../../tsup.shared';

export default ocrmTsupConfig({ entry: ['src/index.ts'] });

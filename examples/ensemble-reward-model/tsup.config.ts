import { ocrmTsupConfig } from '../../tsup.shared';

export default ocrmTsupConfig({ entry: ['src/index.ts'], dts: false, sourcemap: false });

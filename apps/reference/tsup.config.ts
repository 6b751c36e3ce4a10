import { ocrmTsupConfig } from '../../tsup.shared';

export default ocrmTsupConfig({ entry: ['src/bin.ts'], dts: false, banner: { js: '#!/usr/bin/env node' } });

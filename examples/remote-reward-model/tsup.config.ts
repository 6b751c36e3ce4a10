import { ocrmTsupConfig } from '../../tsup.shared';

export default ocrmTsupConfig({
  entry: ['src/index.ts', 'src/post-worker.mjs'],
  dts: false,
  sourcemap: false,
});

import { ocrmVitestConfig } from '../vitest.shared';

export default ocrmVitestConfig({ testTimeout: 240_000 });

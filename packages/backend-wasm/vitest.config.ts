import { ocrmVitestConfig } from '../../vitest.shared';

export default ocrmVitestConfig();

export { readJson, writeFileAtomic, writeJsonAtomic } from './atomic';
export { appendJsonl, type ReadJsonlOptions, readJsonl, readJsonlAll, writeJsonl } from './jsonl';
export { CONFIG_FILE, DONE_MARKER, type DoneInfo, METRICS_FILE, RunDirectory } from './run-directory';

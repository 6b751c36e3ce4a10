// The `ocrm` CLI lands with the pipeline issue.
console.error('ocrm: the pipeline is not built yet (see README).');
process.exitCode = 2;

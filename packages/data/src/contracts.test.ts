import { fileURLToPath } from 'node:url';
import { describeGoldJudgeContract, describeTokenizerContract } from '@ocrm/core/test';
import { assetPath } from './assets';
import { createDigestTask } from './digest/create-digest-task';
import { TldrJudge } from './tasks/tldr-judge';
import { loadTokenizer } from './tokenizers/load-tokenizer';

const fixtures = fileURLToPath(new URL('../../../fixtures/data/', import.meta.url));
const digest = createDigestTask({ numSftTrain: 20, numSftEval: 0, numTrainPrompts: 0, numEvalPrompts: 4 });

describeTokenizerContract('HfTokenizer (GPT-2)', () => loadTokenizer(`${fixtures}tokenizers/gpt2`), {
  texts: ['hello world', ' Hello, world!\n\nTL;DR: it works.', 'The quick brown fox.'],
});
describeTokenizerContract('HfTokenizer (GPT-NeoX, gzipped asset)', () =>
  loadTokenizer(assetPath('tokenizers/gpt-neox-20b/tokenizer.json.gz')),
);
describeTokenizerContract('digest tokenizer', () => digest.tokenizer, {
  texts: ['water river house', digest.sftTrain[0]?.response as string],
});
describeGoldJudgeContract('DigestJudge', () => digest.judge, {
  prompts: digest.evalPrompts.map((p) => p.prompt),
  responses: ['water river', digest.evalPrompts[1]?.reference as string, 'zebra zebra', ''],
});
describeGoldJudgeContract('TldrJudge', () => new TldrJudge(['a cat', 'a dog', 'the hat']), {
  prompts: Array.from({ length: 4 }, () => 'SUBREDDIT: r/x\n\nTITLE: a cat\n\nPOST: the cat sat\n\nTL;DR:'),
});

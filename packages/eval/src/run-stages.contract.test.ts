import { describeRunEvaluatorContract, describeRunReporterContract } from '@ocrm/core/test';
import { goldRunEvaluator } from './gold-run-evaluator';
import { htmlReporter } from './html-reporter';

describeRunEvaluatorContract('goldRunEvaluator', () =>
  goldRunEvaluator({
    prompts: 4,
    temperature: 0.7,
    klPrompts: 2,
    onPolicyPairs: 3,
    samplesPerPrompt: 2,
    greedy: true,
  }),
);
describeRunReporterContract('htmlReporter', () => htmlReporter());

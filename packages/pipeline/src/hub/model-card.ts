import type { PipelineConfig } from '../config/schema';
import type { PlannedStage } from '../run/plan';

/** What a model card describes: the stage's model, its run's config and (when evaluated) the round's metrics. */
export interface ModelCardInput {
  config: PipelineConfig;
  stage: PlannedStage;
  /** The `eval/results.json` entry of the stage, if the run was evaluated. */
  metrics?: Record<string, number>;
}

const KIND: Record<string, { what: string; tag: string; load: string }> = {
  sft: {
    what: 'the supervised fine-tuned (SFT) policy',
    tag: 'text-generation',
    load: 'AutoModelForCausalLM',
  },
  rm: {
    what: 'a Bradley-Terry reward model (scalar head)',
    tag: 'text-classification',
    load: 'AutoModelForSequenceClassification',
  },
  ppo: { what: 'the RL-trained policy', tag: 'text-generation', load: 'AutoModelForCausalLM' },
  dpo: { what: 'the DPO-trained policy', tag: 'text-generation', load: 'AutoModelForCausalLM' },
};

/**
 * A Hugging Face model card (`README.md`: YAML metadata, then text) for one stage's model of an ocrm run: what the
 * model is, the method, round and seed, the round's evaluation metrics when known, how to load it with
 * `transformers`, and the run's resolved config.
 */
export function modelCard({ config, stage, metrics }: ModelCardInput): string {
  const kind = KIND[stage.kind]!;
  const round = stage.round !== undefined ? `, round ${stage.round}` : '';
  const rows = Object.entries(metrics ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `| \`${key}\` | ${Number(value.toPrecision(6))} |`);
  return [
    '---',
    'library_name: transformers',
    `pipeline_tag: ${kind.tag}`,
    'tags:',
    '- ocrm',
    '- rlhf',
    `- ${config.method}`,
    '---',
    '',
    `# ${stage.name} of an ocrm run (${config.method}, seed ${config.seed})`,
    '',
    `This is ${kind.what} of stage \`${stage.name}\`${round} of an RLHF run made with the ocrm toolkit ` +
      '(Off-Policy Corrected Reward Modeling, arXiv 2507.15507) on the task ' +
      `\`${config.task.name}\`. It was trained from ${describeModel(config)}.`,
    '',
    '```python',
    `from transformers import ${kind.load}, AutoTokenizer`,
    `model = ${kind.load}.from_pretrained("<this repo>")`,
    'tokenizer = AutoTokenizer.from_pretrained("<this repo>")',
    '```',
    '',
    ...(rows.length > 0
      ? ['## Evaluation of this round', '', '| metric | value |', '| --- | --- |', ...rows, '']
      : []),
    '## Run config',
    '',
    '```json',
    JSON.stringify(config, null, 2),
    '```',
    '',
  ].join('\n');
}

function describeModel(config: PipelineConfig): string {
  const model = config.model;
  if (model.source === 'hub') return `\`${model.repo}\``;
  if (model.source === 'local') return 'a local model';
  return `scratch (a ${String(model.config.model_type ?? 'gpt_neox')} initialised with the run seed)`;
}

/** Seeds of the pipeline's random streams, derived from the run seed so stages never share one. */
export const seedFor = (
  seed: number,
  purpose: 'pairs' | 'labels' | 'eval' | 'onPolicy' | 'rm' | 'ppo' | 'dpo',
  round = 0,
) =>
  seed * 1_000 + { pairs: 1, labels: 2, eval: 3, onPolicy: 4, rm: 5, ppo: 6, dpo: 7 }[purpose] * 10 + round;

import type { PreferencePair } from '@ocrm/core';
import { makePair } from '@ocrm/core/test';

/**
 * A tiny preference set over vocab 8 (EOS 1, PAD 0): prompts start with a topic token (2 or 3); the chosen response
 * repeats the topic's "good" token (4 for topic 2, 5 for topic 3), the rejected one the other.
 */
export function tinyPreferenceSet(count: number, eosId = 1): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  for (let i = 0; i < count; i++) {
    const topic = 2 + (i % 2);
    const good = topic === 2 ? 4 : 5;
    const bad = topic === 2 ? 5 : 4;
    const length = 1 + (i % 3);
    pairs.push(
      makePair(
        `p${i}`,
        i % 4 < 2 ? [topic, 6] : [topic, 6, 7],
        [...Array(length).fill(good), eosId],
        [...Array(1 + ((i + 1) % 3)).fill(bad), eosId],
      ),
    );
  }
  return pairs;
}

import { type PreferencePair, rng, type Tokenizer } from '@ocrm/core';

/**
 * A tiny synthetic preference set: prompts of 2 letters from `efgh`; the chosen response (3 letters of `abcd`)
 * contains an `a`, the rejected one (3 letters of `bcd`) does not. Responses end with EOS.
 */
export function preferenceSet(tokenizer: Tokenizer, n: number, seed: number): PreferencePair[] {
  const r = rng(seed, 9, 0);
  const pick = (alphabet: string, k: number) =>
    Array.from({ length: k }, () => alphabet[r.int(alphabet.length)]).join('');
  return Array.from({ length: n }, (_, i) => {
    const prompt = pick('efgh', 2);
    const rejected = pick('bcd', 3);
    const chosenChars = pick('abcd', 3).split('');
    chosenChars[r.int(3)] = 'a';
    const chosen = chosenChars.join('');
    return {
      id: `p${seed}-${i}`,
      prompt,
      chosen,
      rejected,
      promptIds: tokenizer.encode(prompt),
      chosenIds: [...tokenizer.encode(chosen), tokenizer.eosId],
      rejectedIds: [...tokenizer.encode(rejected), tokenizer.eosId],
    };
  });
}

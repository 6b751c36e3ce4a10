import { permutation, rng } from './rng';

/**
 * The data order of a run that makes passes (epochs) over `n` items: position `p` of the endless sequence of passes is
 * item `order_e[p mod n]` of pass `e = floor(p / n)`, with `order_e = permutation(n, rng(seed, stream, e))`.
 * A pure function of its arguments, so a resumed run at data position `p` continues the same order. Each pass's
 * permutation is computed once, when first needed.
 * @returns a function from a position (integer ≥ 0) to an item index in `[0, n)`.
 * @example
 * const itemAt = epochOrder(train.length, config.seed);
 * const batch = Array.from({ length: size }, (_, i) => train[itemAt(position + i)]);
 */
export function epochOrder(n: number, seed: number, stream = 0): (position: number) => number {
  const orders = new Map<number, number[]>();
  return (position) => {
    const epoch = Math.floor(position / n);
    let order = orders.get(epoch);
    if (!order) {
      order = permutation(n, rng(seed, stream, epoch));
      orders.set(epoch, order);
    }
    return order[position % n]!;
  };
}

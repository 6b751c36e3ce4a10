export { philox4x32 } from './philox';
export { permutation, type Rng, rng, shuffle } from './rng';

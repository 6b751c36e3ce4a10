/**
 * A worker thread of `WorkerThreads` / `GradientWorkers` (`@ocrm/core`): sets up the tfjs backend the main thread names,
 * posts `{ type: 'started' }`, then answers messages one at a time, in order:
 *
 * - `{ type: 'replica', id, replica }`: drops the replica it holds, if any, builds one from `replica` (a ModuleRef of
 *   a `GradientReplicaFactory`) and posts `{ type: 'ready', id, shapes }` (every weight's shape by name);
 * - `{ type: 'weights', values: { name: Float32Array } }`: assigns the values to the replica's weights;
 * - `{ type: 'tasks', id, tasks }`: computes each task's loss and gradients and posts
 *   `{ type: 'result', id, results: [{ value, grads: { name: Float32Array }, extra? }] }` (buffers transferred);
 * - `{ type: 'evaluate', id, query }`: posts `{ type: 'answer', id, answer }`, the replica's `evaluate(query)`
 *   (awaited: later messages wait for it);
 * - `{ type: 'release' }`: drops the replica (the thread stays, for the next one).
 *
 * Started with `workerData = { backend?: ModuleRef }`; posts `{ type: 'error', id?, message, stack }` when anything
 * fails. Plain JavaScript on purpose: it runs as shipped, from source and from an installed package alike.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

/** @param {string} specifier */
function importable(specifier) {
  return isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
}

/** @param {{ module: string, export: string, options?: unknown }} ref */
async function call(ref) {
  const module = await import(importable(ref.module));
  const fn = module[ref.export];
  if (typeof fn !== 'function') {
    throw new Error(`${ref.module} does not export a function \`${ref.export}\``);
  }
  return fn(ref.options);
}

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @param {unknown} error @param {number} [id] */
function fail(error, id) {
  const e = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ type: 'error', id, message: e.message, stack: e.stack });
}

try {
  if (workerData.backend) await call(workerData.backend);
  const tf = await import('@tensorflow/tfjs');
  await tf.ready();
  /** @type {any} */
  let replica;
  /** @type {string} */
  let module = '';
  const drop = () => {
    replica?.dispose();
    replica = undefined;
  };
  /** @param {any} message */
  async function handle(message) {
    if (message.type === 'replica') {
      drop();
      module = message.replica.module;
      replica = await call(message.replica);
      /** @type {Record<string, number[]>} */
      const shapes = {};
      for (const [name, variable] of Object.entries(replica.weights)) shapes[name] = variable.shape;
      port.postMessage({ type: 'ready', id: message.id, shapes });
      return;
    }
    if (message.type === 'release') {
      drop();
      return;
    }
    if (!replica) throw new Error(`no replica to handle a \`${message.type}\` message`);
    if (message.type === 'weights') {
      for (const [name, values] of Object.entries(message.values)) {
        const variable = replica.weights[name];
        if (!variable) throw new Error(`the replica has no weight \`${name}\``);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
      }
    } else if (message.type === 'tasks') {
      const results = [];
      /** @type {ArrayBuffer[]} */
      const transfer = [];
      for (const task of message.tasks) {
        const { value, grads, extra } = replica.gradients(task);
        /** @type {Record<string, Float32Array>} */
        const flat = {};
        for (const [name, grad] of Object.entries(grads)) {
          flat[name] = new Float32Array(grad.dataSync());
          transfer.push(flat[name].buffer);
        }
        const result = { value: value.dataSync()[0], grads: flat };
        if (extra) {
          result.extra = new Float32Array(extra.dataSync());
          transfer.push(result.extra.buffer);
        }
        results.push(result);
        tf.dispose([value, ...Object.values(grads), ...(extra ? [extra] : [])]);
      }
      port.postMessage({ type: 'result', id: message.id, results }, transfer);
    } else if (message.type === 'evaluate') {
      if (typeof replica.evaluate !== 'function') {
        throw new Error(`the replica (${module}) has no \`evaluate\``);
      }
      const answer = await replica.evaluate(message.query);
      port.postMessage({ type: 'answer', id: message.id, answer });
    }
  }
  // One message at a time, in order: an asynchronous `evaluate` finishes before later weights are assigned.
  let queue = Promise.resolve();
  port.on('message', (message) => {
    queue = queue.then(() => handle(message)).catch((error) => fail(error, message.id));
  });
  port.postMessage({ type: 'started' });
} catch (error) {
  fail(error);
}

// @ts-check
/**
 * A reward model that lives in another process: a small HTTP server (plain Node, no TensorFlow.js) that trains a
 * bag-of-tokens Bradley-Terry model on weighted preference pairs and scores responses with it. Any language could
 * serve this protocol (a Python process with a transformers model, a judge behind an API):
 *
 * POST /train  { pairs: [{ chosenIds, rejectedIds, logWeight? }], vocabSize, epochs?, learningRate? } → { weights }
 *   Full-batch gradient descent from zero on the weighted BT loss −Σ w_i log σ(r(chosen_i) − r(rejected_i)) / Σ w_i,
 *   w_i = exp(logWeight_i); r(y) = Σ_v weights[v] · count_v(y) / |y|. Deterministic.
 * POST /score  { weights, responses: number[][] } → { scores }
 *
 * `node server/reward-server.mjs [port]` prints `listening <port>` once it accepts connections (port 0: any free one).
 */
import { createServer } from 'node:http';

/** @param {number[]} weights @param {number[]} ids */
function reward(weights, ids) {
  let sum = 0;
  for (const id of ids) sum += weights[id] ?? 0;
  return ids.length === 0 ? 0 : sum / ids.length;
}

/** @param {{ pairs: { chosenIds: number[], rejectedIds: number[], logWeight?: number }[], vocabSize: number, epochs?: number, learningRate?: number }} body */
function train(body) {
  const weights = new Array(body.vocabSize).fill(0);
  const w = body.pairs.map((p) => Math.exp(p.logWeight ?? 0));
  const total = w.reduce((a, b) => a + b, 0) || 1;
  for (let epoch = 0; epoch < (body.epochs ?? 200); epoch++) {
    const grad = new Array(body.vocabSize).fill(0);
    body.pairs.forEach((p, i) => {
      const margin = reward(weights, p.chosenIds) - reward(weights, p.rejectedIds);
      const g = (-(w[i] ?? 1) / total) * (1 / (1 + Math.exp(margin))); // d/dmargin of −w log σ(margin)
      for (const id of p.chosenIds) grad[id] += g / p.chosenIds.length;
      for (const id of p.rejectedIds) grad[id] -= g / p.rejectedIds.length;
    });
    for (let v = 0; v < weights.length; v++) weights[v] -= (body.learningRate ?? 5) * grad[v];
  }
  return { weights };
}

const server = createServer((req, res) => {
  let data = '';
  req.on('data', (chunk) => {
    data += chunk;
  });
  req.on('end', () => {
    try {
      const body = JSON.parse(data);
      const out =
        req.url === '/train'
          ? train(body)
          : req.url === '/score'
            ? { scores: body.responses.map((/** @type {number[]} */ ids) => reward(body.weights, ids)) }
            : undefined;
      res.writeHead(out ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out ?? { error: `no route ${req.url}` }));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});

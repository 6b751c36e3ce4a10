/*
 * Fused kernels for tfjs-wasm, compiled to a small WebAssembly module that imports tfjs-wasm's memory
 * (src/wasm-module.ts): one decoding step of attention with the key/value cache append, from separate q/k/v or from a
 * fused q/k/v projection's rows with rotary embeddings (src/decode-attention.ts); LayerNorm / RMSNorm with optional
 * weight and bias (src/normalize-rows.ts); GELU (src/gelu.ts); a cache-blocked transpose of the last two axes
 * (src/blocked-transpose.ts); column sums in row order (src/column-sums.ts); batched small products
 * (src/untransposed-matmul.ts); the training forward of the erf GELU (src/gelu.ts); the AdamW update
 * (src/adamw-update.ts).
 *
 * Build: npm run build:wasm -w @ocrm/backend-wasm (clang 14+, wasm-ld; regenerates src/kernels-wasm.ts).
 *
 * The module owns no memory: no data segments, no shadow stack (every buffer is a pointer into tfjs's heap), so
 * instantiating it against tfjs's memory writes nothing.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* e^x for x <= 0 (Cephes expf: range reduction by ln 2, degree-5 polynomial; ~1 ulp). 0 below -87.3. */
static float exp_nonpositive(float x) {
  if (x < -87.3f) return 0.0f;
  float n = __builtin_nearbyintf(x * 1.44269504088896341f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  union { float f; int i; } pow2;
  pow2.i = ((int)n + 127) << 23;
  return e * pow2.f;
}

static float dot(const float *a, const float *b, int n) {
  int i = 0;
  v128_t acc = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  float s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) +
            wasm_f32x4_extract_lane(acc, 3);
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

static float sum(const float *a, int n) {
  int i = 0;
  v128_t acc = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) acc = wasm_f32x4_add(acc, wasm_v128_load(a + i));
  float s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) +
            wasm_f32x4_extract_lane(acc, 3);
  for (; i < n; i++) s += a[i];
  return s;
}

/* o[0..n) += p * v[0..n) */
static void axpy(float *o, float p, const float *v, int n) {
  int i = 0;
  v128_t pv = wasm_f32x4_splat(p);
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(o + i, wasm_f32x4_add(wasm_v128_load(o + i), wasm_f32x4_mul(pv, wasm_v128_load(v + i))));
  for (; i < n; i++) o[i] += p * v[i];
}

/*
 * Attention of one query row over S cached rows: o[0..hd) = sum_j softmax_j(dot(q, K_j) * scale + bias_j) V_j.
 * scratch holds S floats.
 */
static void attend_row(const float *q, const float *K, const float *V, const float *bias, int S, int hd, float scale,
                       float *scratch, float *o) {
  float max = -3.4e38f;
  for (int j = 0; j < S; j++) {
    const float s = dot(q, K + j * hd, hd) * scale + bias[j];
    scratch[j] = s;
    if (s > max) max = s;
  }
  float total = 0.0f;
  for (int j = 0; j < S; j++) {
    const float e = exp_nonpositive(scratch[j] - max);
    scratch[j] = e;
    total += e;
  }
  for (int i = 0; i < hd; i++) o[i] = 0.0f;
  for (int j = 0; j < S; j++) axpy(o, scratch[j] / total, V + j * hd, hd);
}

/* Copies a cache block's P past rows (hd floats each). */
static void copy_rows(float *dst, const float *past, int P, int hd) {
  if (P > 0) __builtin_memcpy(dst, past, (unsigned long)(P * hd) * sizeof(float));
}

/* Copies a cache block's P past rows and appends the new row. */
static void append_rows(float *dst, const float *past, const float *row, int P, int hd) {
  copy_rows(dst, past, P, hd);
  __builtin_memcpy(dst + P * hd, row, (unsigned long)hd * sizeof(float));
}

/*
 * Cache blocks hold S = P + 1 rows of hd floats, one block per (kv head g, sequence b): block g*B + b when
 * heads_outer (q, k, v [nH, B, 1, hd], cache [nH, B, S, hd], nH = kvH), else b*kvH + g (q [B, nH, 1, hd], k, v
 * [B, kvH, 1, hd], cache [B, kvH, S, hd]; query head h uses kv head h / (nH / kvH)). The scores are
 * dot(q, k) * scale + bias, bias [B, S]. `scratch` holds S floats. out [B, nH*hd] (heads merged). keys/values
 * receive past + new rows.
 */
EXPORT("decode_attention")
void decode_attention(const float *q, const float *k_new, const float *v_new, const float *past_k,
                      const float *past_v, const float *bias, float *out, float *keys, float *values, float *scratch,
                      float scale, int B, int nH, int kvH, int P, int hd, int heads_outer) {
  const int S = P + 1;
  const int rep = nH / kvH;
  for (int b = 0; b < B; b++) {
    for (int g = 0; g < kvH; g++) {
      const int blk = heads_outer ? g * B + b : b * kvH + g;
      float *K = keys + blk * S * hd;
      float *V = values + blk * S * hd;
      append_rows(K, past_k + blk * P * hd, k_new + blk * hd, P, hd);
      append_rows(V, past_v + blk * P * hd, v_new + blk * hd, P, hd);
      for (int r = 0; r < rep; r++) {
        const int h = g * rep + r;
        const float *qrow = q + (heads_outer ? h * B + b : b * nH + h) * hd;
        attend_row(qrow, K, V, bias + b * S, S, hd, scale, scratch, out + (b * nH + h) * hd);
      }
    }
  }
}

/*
 * x * cos + rotate_half(x) * sin on the first `rot` features (rotate_half(x)[i] = -x[i + rot/2] for i < rot/2,
 * x[i - rot/2] for rot/2 <= i < rot), x unchanged past `rot`; all times `scale`. cos/sin: hd floats (or null: no
 * rotary).
 */
static void rotate_row(const float *x, const float *cos, const float *sin, int rot, int hd, float scale, float *o) {
  const int half = rot / 2;
  if (!cos) {
    for (int i = 0; i < hd; i++) o[i] = x[i] * scale;
    return;
  }
  for (int i = 0; i < half; i++) o[i] = (x[i] * cos[i] - x[i + half] * sin[i]) * scale;
  for (int i = half; i < rot; i++) o[i] = (x[i] * cos[i] + x[i - half] * sin[i]) * scale;
  for (int i = rot; i < hd; i++) o[i] = x[i] * scale;
}

/*
 * decode_attention for a fused q/k/v projection (GPT-NeoX, GPT-2; nH = kvH, heads-outer cache [nH, B, S, hd]) taken
 * straight from the projection's rows qkv [B, 3*nH, hd] (q heads, k heads, v heads): rotary embeddings on q and k
 * (cos/sin [B, hd], or null pointers without rotary; `rot` rotated features), q scaled by q_scale. scratch holds
 * S + hd floats.
 */
EXPORT("decode_attention_qkv")
void decode_attention_qkv(const float *qkv, const float *cos, const float *sin, const float *past_k,
                          const float *past_v, const float *bias, float *out, float *keys, float *values,
                          float *scratch, float q_scale, int rot, int B, int nH, int P, int hd) {
  const int S = P + 1;
  float *q = scratch + S;
  for (int b = 0; b < B; b++) {
    const float *row = qkv + b * 3 * nH * hd;
    const float *c = cos ? cos + b * hd : 0;
    const float *s = sin ? sin + b * hd : 0;
    for (int h = 0; h < nH; h++) {
      const int blk = h * B + b;
      float *K = keys + blk * S * hd;
      float *V = values + blk * S * hd;
      copy_rows(K, past_k + blk * P * hd, P, hd);
      rotate_row(row + (nH + h) * hd, c, s, rot, hd, 1.0f, K + P * hd);
      append_rows(V, past_v + blk * P * hd, row + (2 * nH + h) * hd, P, hd);
      rotate_row(row + h * hd, c, s, rot, hd, q_scale, q);
      attend_row(q, K, V, bias + b * S, S, hd, 1.0f, scratch, out + (b * nH + h) * hd);
    }
  }
}

/*
 * Rows of x [rows, cols] normalised: LayerNorm (x - mean) / sqrt(var + eps) with the biased variance, or RMSNorm
 * (rms != 0) x / sqrt(mean(x^2) + eps); then times w[cols] and plus b[cols] when given (null: none). out may not
 * alias x.
 */
EXPORT("normalize_rows")
void normalize_rows(const float *x, float *out, int rows, int cols, int rms, float eps, const float *w,
                    const float *b) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *o = out + r * cols;
    const float mean = rms ? 0.0f : sum(xr, cols) / (float)cols;
    for (int i = 0; i < cols; i++) o[i] = xr[i] - mean;
    const float var = dot(o, o, cols) / (float)cols;
    const float inv = 1.0f / __builtin_sqrtf(var + eps);
    for (int i = 0; i < cols; i++) o[i] *= inv;
    if (w)
      for (int i = 0; i < cols; i++) o[i] *= w[i];
    if (b)
      for (int i = 0; i < cols; i++) o[i] += b[i];
  }
}

/* erf(x) as x * P(x^2) / Q(x^2) on [-4, 4] (Eigen / XLA fast_erf, float32 error ~1e-7), +-1 beyond. */
static float erf_approx(float x) {
  if (x > 4.0f) x = 4.0f;
  if (x < -4.0f) x = -4.0f;
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return x * p / q;
}

/* 1 / (1 + e^-z) from e^-|z| only (no overflow). */
static float sigmoid(float z) {
  if (z >= 0.0f) return 1.0f / (1.0f + exp_nonpositive(-z));
  const float e = exp_nonpositive(z);
  return e / (1.0f + e);
}

/*
 * GELU of n floats: the erf form x * (1 + erf(x / sqrt 2)) / 2 (tanh_form = 0, transformers' "gelu") or the tanh
 * form x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) (= x (1 + tanh(u)) / 2, "gelu_new"). out may alias x.
 */
EXPORT("gelu")
void gelu(const float *x, float *out, int n, int tanh_form) {
  if (tanh_form) {
    for (int i = 0; i < n; i++) {
      const float v = x[i];
      out[i] = v * sigmoid(1.5957691216057308f * (v + 0.044715f * v * v * v));
    }
  } else {
    for (int i = 0; i < n; i++) out[i] = x[i] * (erf_approx(x[i] * 0.70710678118654752f) + 1.0f) * 0.5f;
  }
}

/*
 * Transposes the last two axes of `batches` row-major [rows, cols] matrices of 4-byte elements (float32 or int32)
 * into [cols, rows], in 32 x 32 tiles of 4 x 4 SIMD blocks: neither side strides through memory a whole row at a time
 * (tfjs-wasm's own loop writes with a stride of `rows` elements and thrashes the cache when that is a power of two:
 * ~1 ms for [1024, 128]). Pure data movement, so the output is bit-identical to tfjs's Transpose.
 */
EXPORT("transpose_last2")
void transpose_last2(const unsigned *x, unsigned *out, int batches, int rows, int cols) {
  const int tile = 32;
  for (int b = 0; b < batches; b++) {
    const unsigned *xb = x + b * rows * cols;
    unsigned *ob = out + b * rows * cols;
    for (int i0 = 0; i0 < rows; i0 += tile) {
      const int i1 = i0 + tile < rows ? i0 + tile : rows;
      for (int j0 = 0; j0 < cols; j0 += tile) {
        const int j1 = j0 + tile < cols ? j0 + tile : cols;
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
          int j = j0;
          for (; j + 4 <= j1; j += 4) {
            const v128_t r0 = wasm_v128_load(xb + i * cols + j);
            const v128_t r1 = wasm_v128_load(xb + (i + 1) * cols + j);
            const v128_t r2 = wasm_v128_load(xb + (i + 2) * cols + j);
            const v128_t r3 = wasm_v128_load(xb + (i + 3) * cols + j);
            const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5); /* r0[0] r1[0] r0[1] r1[1] */
            const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7); /* r0[2] r1[2] r0[3] r1[3] */
            const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
            const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
            wasm_v128_store(ob + j * rows + i, wasm_i64x2_shuffle(t0, t2, 0, 2));
            wasm_v128_store(ob + (j + 1) * rows + i, wasm_i64x2_shuffle(t0, t2, 1, 3));
            wasm_v128_store(ob + (j + 2) * rows + i, wasm_i64x2_shuffle(t1, t3, 0, 2));
            wasm_v128_store(ob + (j + 3) * rows + i, wasm_i64x2_shuffle(t1, t3, 1, 3));
          }
          for (; j < j1; j++)
            for (int k = 0; k < 4; k++) ob[j * rows + i + k] = xb[(i + k) * cols + j];
        }
        for (; i < i1; i++)
          for (int j = j0; j < j1; j++) ob[j * rows + i] = xb[i * cols + j];
      }
    }
  }
}

/*
 * Column sums of a row-major [rows, cols] float32 matrix, each accumulated in row order from 0 (acc = acc + x[i][j]):
 * the same additions in the same order as XNNPACK's [1, rows] x [rows, cols] product with a row of ones, so the
 * same bits, without the product's multiplications and with four SIMD accumulators (16 columns) in flight.
 */
EXPORT("column_sums")
void column_sums(const float *x, float *out, int rows, int cols) {
  int j = 0;
  for (; j + 16 <= cols; j += 16) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int i = 0; i < rows; i++) {
      const float *r = x + i * cols + j;
      a0 = wasm_f32x4_add(a0, wasm_v128_load(r));
      a1 = wasm_f32x4_add(a1, wasm_v128_load(r + 4));
      a2 = wasm_f32x4_add(a2, wasm_v128_load(r + 8));
      a3 = wasm_f32x4_add(a3, wasm_v128_load(r + 12));
    }
    wasm_v128_store(out + j, a0);
    wasm_v128_store(out + j + 4, a1);
    wasm_v128_store(out + j + 8, a2);
    wasm_v128_store(out + j + 12, a3);
  }
  for (; j + 4 <= cols; j += 4) {
    v128_t a = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < rows; i++) a = wasm_f32x4_add(a, wasm_v128_load(x + i * cols + j));
    wasm_v128_store(out + j, a);
  }
  for (; j < cols; j++) {
    float a = 0.0f;
    for (int i = 0; i < rows; i++) a += x[i * cols + j];
    out[j] = a;
  }
}

/* Rows [i, i + R) x columns [j, j + 4C) of one product, R x C accumulators of 4 lanes, k in order (see below). */
#define PRODUCT_BLOCK(R, C)                                                                    \
  do {                                                                                         \
    v128_t acc[R][C];                                                                          \
    for (int r = 0; r < R; r++)                                                                \
      for (int c = 0; c < C; c++) acc[r][c] = wasm_f32x4_splat(0.0f);                          \
    for (int p = 0; p < k; p++) {                                                              \
      v128_t vb[C];                                                                            \
      for (int c = 0; c < C; c++) vb[c] = wasm_v128_load(be + p * n + j + 4 * c);              \
      for (int r = 0; r < R; r++) {                                                            \
        const v128_t va = wasm_f32x4_splat(ae[(i + r) * k + p]);                               \
        for (int c = 0; c < C; c++) acc[r][c] = wasm_f32x4_add(acc[r][c], wasm_f32x4_mul(va, vb[c])); \
      }                                                                                        \
    }                                                                                          \
    for (int r = 0; r < R; r++)                                                                \
      for (int c = 0; c < C; c++) wasm_v128_store(oe + (i + r) * n + j + 4 * c, acc[r][c]);    \
  } while (0)

/*
 * `batch` row-major products a[e] [m, k] x b[e] [k, n] -> out[e] [m, n] in one call (attention's small batched
 * products). Every output element is 0 + a[i][0] b[0][j] + a[i][1] b[1][j] + ... added in k order, one rounding per
 * multiply and per add (wasm has no fused multiply-add): the order XNNPACK's f32 GEMM microkernels use, so the result
 * is bit-identical to one XNNPACK product per entry (tested), without an XNNPACK operator (and the packing of b) per
 * entry. Blocks of 4 rows x 8 columns in registers; the ragged edges by smaller blocks and a scalar loop.
 */
EXPORT("batched_matmul")
void batched_matmul(const float *a, const float *b, float *out, int batch, int m, int k, int n) {
  for (int e = 0; e < batch; e++) {
    const float *ae = a + e * m * k;
    const float *be = b + e * k * n;
    float *oe = out + e * m * n;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int j = 0;
      for (; j + 8 <= n; j += 8) PRODUCT_BLOCK(4, 2);
      for (; j + 4 <= n; j += 4) PRODUCT_BLOCK(4, 1);
      for (; j < n; j++)
        for (int r = 0; r < 4; r++) {
          float acc = 0.0f;
          for (int p = 0; p < k; p++) acc += ae[(i + r) * k + p] * be[p * n + j];
          oe[(i + r) * n + j] = acc;
        }
    }
    for (; i < m; i++) {
      int j = 0;
      for (; j + 8 <= n; j += 8) PRODUCT_BLOCK(1, 2);
      for (; j + 4 <= n; j += 4) PRODUCT_BLOCK(1, 1);
      for (; j < n; j++) {
        float acc = 0.0f;
        for (int p = 0; p < k; p++) acc += ae[i * k + p] * be[p * n + j];
        oe[i * n + j] = acc;
      }
    }
  }
}

/*
 * The forward pass of @ocrm/models' differentiable erf GELU for large tensors, in one pass: cdf = (erf(x / sqrt 2) + 1)
 * / 2 with erf by the rational approximation of its `fastErf` (clip to [-4, 4], x P(x^2) / Q(x^2), Eigen's
 * coefficients) and value = x cdf. Every float32 operation of that tensor-op chain, in its order and with one rounding
 * each (wasm has no fused multiply-add), so both outputs are bit-identical to it (tested); the constants are the
 * float32 roundings tfjs makes of the same doubles.
 */
EXPORT("gelu_erf_with_cdf")
void gelu_erf_with_cdf(const float *x, float *value, float *cdf, int n) {
  const float p0 = (float)-2.72614225801306e-10, p1 = (float)2.77068142495902e-8, p2 = (float)-2.10102402082508e-6,
              p3 = (float)-5.69250639462346e-5, p4 = (float)-7.34990630326855e-4,
              p5 = (float)-2.95459980854025e-3, p6 = (float)-1.60960333262415e-2;
  const float q0 = (float)-1.45660718464996e-5, q1 = (float)-2.13374055278905e-4, q2 = (float)-1.68282697438203e-3,
              q3 = (float)-7.37332916720468e-3, q4 = (float)-1.42647390514189e-2;
  const float inv_sqrt2 = (float)0.7071067811865476;
  int i = 0;
#define SPLAT(v) wasm_f32x4_splat(v)
  for (; i + 4 <= n; i += 4) {
    const v128_t xs = wasm_v128_load(x + i);
    v128_t t = wasm_f32x4_mul(xs, SPLAT(inv_sqrt2));
    t = wasm_f32x4_pmin(SPLAT(4.0f), wasm_f32x4_pmax(SPLAT(-4.0f), t));
    const v128_t t2 = wasm_f32x4_mul(t, t);
    v128_t p = wasm_f32x4_mul(SPLAT(p0), t2);
    p = wasm_f32x4_mul(wasm_f32x4_add(p, SPLAT(p1)), t2);
    p = wasm_f32x4_mul(wasm_f32x4_add(p, SPLAT(p2)), t2);
    p = wasm_f32x4_mul(wasm_f32x4_add(p, SPLAT(p3)), t2);
    p = wasm_f32x4_mul(wasm_f32x4_add(p, SPLAT(p4)), t2);
    p = wasm_f32x4_mul(wasm_f32x4_add(p, SPLAT(p5)), t2);
    p = wasm_f32x4_add(p, SPLAT(p6));
    v128_t q = wasm_f32x4_mul(SPLAT(q0), t2);
    q = wasm_f32x4_mul(wasm_f32x4_add(q, SPLAT(q1)), t2);
    q = wasm_f32x4_mul(wasm_f32x4_add(q, SPLAT(q2)), t2);
    q = wasm_f32x4_mul(wasm_f32x4_add(q, SPLAT(q3)), t2);
    q = wasm_f32x4_add(q, SPLAT(q4));
    const v128_t e = wasm_f32x4_div(wasm_f32x4_mul(t, p), q);
    const v128_t c = wasm_f32x4_mul(wasm_f32x4_add(e, SPLAT(1.0f)), SPLAT(0.5f));
    wasm_v128_store(cdf + i, c);
    wasm_v128_store(value + i, wasm_f32x4_mul(xs, c));
  }
#undef SPLAT
  for (; i < n; i++) {
    const float xs = x[i];
    float t = xs * inv_sqrt2;
    t = t < -4.0f ? -4.0f : (t > 4.0f ? 4.0f : t);
    const float t2 = t * t;
    float p = p0 * t2;
    p = p + p1;
    p = p * t2;
    p = p + p2;
    p = p * t2;
    p = p + p3;
    p = p * t2;
    p = p + p4;
    p = p * t2;
    p = p + p5;
    p = p * t2;
    p = p + p6;
    float q = q0 * t2;
    q = q + q1;
    q = q * t2;
    q = q + q2;
    q = q * t2;
    q = q + q3;
    q = q * t2;
    q = q + q4;
    float e = t * p;
    e = e / q;
    float c = e + 1.0f;
    c = c * 0.5f;
    cdf[i] = c;
    value[i] = xs * c;
  }
}

/*
 * One AdamW update of n parameters (torch.optim.AdamW; @ocrm/core's AdamW), every operation rounded to float32 in the
 * order of the tensor ops it replaces:
 *   m' = m*b1 + g*(1-b1);  v' = v*b2 + (g*g)*(1-b2);  p' = (decay ? p*decay : p) - (m' / (sqrt(v')/bc2 + eps)) * step
 * Outputs go to new buffers (p_out, m_out, v_out; none aliases an input). wasm has no fused multiply-add in this
 * build, so nothing contracts.
 */
EXPORT("adamw_update")
void adamw_update(const float *p, const float *m, const float *v, const float *g, float *p_out, float *m_out,
                  float *v_out, int n, float b1, float one_minus_b1, float b2, float one_minus_b2, int use_decay,
                  float decay, float bc2, float eps, float step) {
  for (int i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * one_minus_b1;
    const float vi = v[i] * b2 + (gi * gi) * one_minus_b2;
    const float decayed = use_decay ? p[i] * decay : p[i];
    const float denom = __builtin_sqrtf(vi) / bc2 + eps;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = decayed - (mi / denom) * step;
  }
}

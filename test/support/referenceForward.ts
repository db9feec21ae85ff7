// Independent forward pass of a generated tiny model in plain TS (float64), from the weights returned by
// writeTinyModel: RMSNorm, rotary (half-split, HF convention), causal GQA, SiLU MLP, and what each family
// adds as transformers' modeling_<family>.py computes it (Qwen2 q/k/v bias, Qwen3/Gemma 3 q/k norms, Gemma 3
// scaled embeddings, norms around both branches and tanh GELU; Phi-3's fused projections compute the same). Batch 1, positions
// 0..n-1, no padding. Used to check that exposed residuals really are the stream leaving each layer,
// and that capped (and steered) residuals follow h <- h + v * (max(tau - <h, v>, 0) + shift).
import { FAMILY_TRAITS, rotaryTables, type TinyModelInfo } from './tinyModels';

export interface ReferenceCap {
  /** Zero-based layer whose exit residual is capped. */
  readonly layer: number;
  /** Unit direction [hidden]. */
  readonly v: Float32Array;
  readonly tau: number;
  /** Steering along v (default 0). */
  readonly shift?: number;
}

export interface ReferenceResult {
  /** [n, vocab] row-major. */
  readonly logits: Float64Array;
  /** residuals[i]: [n, hidden], the (capped, if capped there) stream leaving layer i. */
  readonly residuals: readonly Float64Array[];
}

function rmsNorm(x: Float64Array, n: number, h: number, w: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(n * h);
  for (let t = 0; t < n; t++) {
    let ss = 0;
    for (let j = 0; j < h; j++) ss += (x[t * h + j] ?? 0) ** 2;
    const inv = 1 / Math.sqrt(ss / h + eps);
    for (let j = 0; j < h; j++) out[t * h + j] = (x[t * h + j] ?? 0) * inv * (w[j] ?? 0);
  }
  return out;
}

/** [n, k] x [k, m] with w row-major [k, m]. */
function matmul(x: Float64Array, n: number, k: number, w: Float32Array, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < k; i++) {
      const xv = x[t * k + i] ?? 0;
      if (xv === 0) continue;
      const row = i * m;
      for (let j = 0; j < m; j++) out[t * m + j] = (out[t * m + j] ?? 0) + xv * (w[row + j] ?? 0);
    }
  }
  return out;
}

/** Rotates each head of x [n, heads*hd] in place. */
function applyRotary(
  x: Float64Array,
  n: number,
  heads: number,
  hd: number,
  cos: Float32Array,
  sin: Float32Array,
): void {
  const half = hd / 2;
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < heads; h++) {
      const base = t * heads * hd + h * hd;
      for (let j = 0; j < half; j++) {
        const a = x[base + j] ?? 0;
        const b = x[base + j + half] ?? 0;
        const c = cos[t * half + j] ?? 0;
        const s = sin[t * half + j] ?? 0;
        x[base + j] = a * c - b * s;
        x[base + j + half] = b * c + a * s;
      }
    }
  }
}

function applyCap(x: Float64Array, n: number, h: number, cap: ReferenceCap): void {
  for (let t = 0; t < n; t++) {
    let dot = 0;
    for (let j = 0; j < h; j++) dot += (x[t * h + j] ?? 0) * (cap.v[j] ?? 0);
    const c = Math.max(cap.tau - dot, 0) + (cap.shift ?? 0);
    if (c !== 0) for (let j = 0; j < h; j++) x[t * h + j] = (x[t * h + j] ?? 0) + c * (cap.v[j] ?? 0);
  }
}

/** Runs the model on one sequence of token ids. */
export function referenceForward(
  info: TinyModelInfo,
  ids: readonly number[],
  caps: readonly ReferenceCap[] = [],
): ReferenceResult {
  const { spec, weights: w, headDim: hd } = info;
  if (spec.norm !== 'rms') throw new Error('referenceForward models RMSNorm graphs only');
  const n = ids.length;
  const H = spec.hiddenSize;
  const nh = spec.numHeads;
  const kvh = spec.numKvHeads;
  const group = nh / kvh;
  const eps = spec.rmsNormEps;
  const { cos, sin } = rotaryTables(Math.max(n, 1), hd, spec.ropeTheta);
  let x = new Float64Array(n * H);
  const traits = FAMILY_TRAITS[spec.family];
  const embedScale = traits.gemmaNorms ? Math.sqrt(H) : 1;
  ids.forEach((id, t) => {
    for (let j = 0; j < H; j++) x[t * H + j] = (w.embed[id * H + j] ?? 0) * embedScale;
  });
  const addBias = (m: Float64Array, b: Float32Array | undefined): void => {
    if (!b) return;
    for (let i = 0; i < m.length; i++) m[i] = (m[i] ?? 0) + (b[i % b.length] ?? 0);
  };
  // Per-head RMSNorm over head_dim: [n, heads*hd] is [n*heads, hd] row-major.
  const headNorm = (m: Float64Array, heads: number, g: Float32Array | undefined): Float64Array =>
    g ? rmsNorm(m, n * heads, hd, g, eps) : m;
  const residuals: Float64Array[] = [];
  const scale = 1 / Math.sqrt(hd);
  for (let l = 0; l < spec.numLayers; l++) {
    const lw = w.layers[l];
    if (!lw) throw new Error('missing layer');
    const a = rmsNorm(x, n, H, lw.inputNorm, eps);
    const qRaw = matmul(a, n, H, lw.wq, nh * hd);
    const kRaw = matmul(a, n, H, lw.wk, kvh * hd);
    const v = matmul(a, n, H, lw.wv, kvh * hd);
    addBias(qRaw, lw.bq);
    addBias(kRaw, lw.bk);
    addBias(v, lw.bv);
    const q = headNorm(qRaw, nh, lw.qNorm);
    const k = headNorm(kRaw, kvh, lw.kNorm);
    applyRotary(q, n, nh, hd, cos, sin);
    applyRotary(k, n, kvh, hd, cos, sin);
    const ctx = new Float64Array(n * nh * hd);
    const scores = new Float64Array(n);
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < n; t++) {
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let j = 0; j < hd; j++)
            d += (q[t * nh * hd + h * hd + j] ?? 0) * (k[s * kvh * hd + kh * hd + j] ?? 0);
          scores[s] = d * scale;
          max = Math.max(max, d * scale);
        }
        let z = 0;
        for (let s = 0; s <= t; s++) {
          scores[s] = Math.exp((scores[s] ?? 0) - max);
          z += scores[s] ?? 0;
        }
        for (let s = 0; s <= t; s++) {
          const p = (scores[s] ?? 0) / z;
          for (let j = 0; j < hd; j++) {
            const idx = t * nh * hd + h * hd + j;
            ctx[idx] = (ctx[idx] ?? 0) + p * (v[s * kvh * hd + kh * hd + j] ?? 0);
          }
        }
      }
    }
    const oRaw = matmul(ctx, n, nh * hd, lw.wo, H);
    const o = lw.postAttnNorm ? rmsNorm(oRaw, n, H, lw.postAttnNorm, eps) : oRaw;
    const mid = new Float64Array(n * H);
    for (let i = 0; i < n * H; i++) mid[i] = (x[i] ?? 0) + (o[i] ?? 0);
    const b = rmsNorm(mid, n, H, lw.postNorm, eps);
    const I = spec.intermediateSize;
    const gate = matmul(b, n, H, lw.wGate, I);
    const up = matmul(b, n, H, lw.wUp, I);
    const act = new Float64Array(n * I);
    for (let i = 0; i < n * I; i++) {
      const g = gate[i] ?? 0;
      const a = traits.gemmaNorms
        ? 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g ** 3)))
        : g / (1 + Math.exp(-g));
      act[i] = a * (up[i] ?? 0);
    }
    const downRaw = matmul(act, n, I, lw.wDown, H);
    const down = lw.postFfNorm ? rmsNorm(downRaw, n, H, lw.postFfNorm, eps) : downRaw;
    const out = new Float64Array(n * H);
    for (let i = 0; i < n * H; i++) out[i] = (mid[i] ?? 0) + (down[i] ?? 0);
    for (const cap of caps) if (cap.layer === l) applyCap(out, n, H, cap);
    residuals.push(out);
    x = out;
  }
  const fin = rmsNorm(x, n, H, w.finalNorm, eps);
  return { logits: matmul(fin, n, H, w.lmHead, info.vocabSize), residuals };
}

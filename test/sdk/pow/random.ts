/** A small seeded PRNG (mulberry32) so that randomised tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform int8 values from a seeded PRNG. */
export function randomInt8(length: number, random: () => number): Int8Array {
  const out = new Int8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256) - 128;
  return out;
}

/** Uniform bytes from a seeded PRNG, shaped like node:crypto's randomBytes. */
export function randomBytesFrom(random: () => number): (length: number) => Uint8Array {
  return (length: number) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
    return out;
  };
}

/** The textbook triple loop, with exact BigInt-free int32 wrap, as the kernels' reference. */
export function naiveMatmul(a: Int8Array, b: Int8Array, m: number, n: number, k: number): Int32Array {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
  }
  return c;
}

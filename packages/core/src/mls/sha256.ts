// SHA-256 and HMAC-SHA-256 without allocation per block, for the browser.
//
// A 1:1 message runs about ten HMACs over tens of bytes (the secret tree's
// ratchet and the sender data key). In Chromium, @noble/hashes spent ~20 %
// of a message there, mostly not in the compression but around it: two hash
// objects and a padded key per HMAC, a DataView per object and per digest,
// and the garbage they leave (profile in docs/BENCHMARKS.md). Here the
// state, schedule and padding live in module scratch arrays that every call
// reuses (JavaScript runs one call at a time) and wipes before it returns;
// each call allocates only its output. The arithmetic is noble's: 32-bit
// integer operations and no lookups indexed by secret data.
//
// Equal to node:crypto byte for byte for every length around the block
// boundaries, checked in test/fastCiphersuite.test.ts.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

export const SHA256_BLOCK = 64;
export const SHA256_SIZE = 32;

// Scratch, wiped at the end of every public call.
const schedule = new Int32Array(64);
const state = new Int32Array(8);
const outerState = new Int32Array(8);
const tail = new Uint8Array(2 * SHA256_BLOCK);
const pad = new Uint8Array(SHA256_BLOCK);
const innerDigest = new Uint8Array(SHA256_SIZE);
const shortKey = new Uint8Array(SHA256_SIZE);

function compress(s: Int32Array, bytes: Uint8Array, at: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i++, at += 4) {
    w[i] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = s[0]!;
  let b = s[1]!;
  let c = s[2]!;
  let d = s[3]!;
  let e = s[4]!;
  let f = s[5]!;
  let g = s[6]!;
  let h = s[7]!;
  for (let i = 0; i < 64; i++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  s[0] = (s[0]! + a) | 0;
  s[1] = (s[1]! + b) | 0;
  s[2] = (s[2]! + c) | 0;
  s[3] = (s[3]! + d) | 0;
  s[4] = (s[4]! + e) | 0;
  s[5] = (s[5]! + f) | 0;
  s[6] = (s[6]! + g) | 0;
  s[7] = (s[7]! + h) | 0;
}

/**
 * Hashes `data`, then `suffix` as one more byte if it is 0–255, into `s`,
 * which has already taken `absorbed` bytes (a multiple of the block), and
 * writes the digest to `out` at `at`.
 */
function finish(s: Int32Array, absorbed: number, data: Uint8Array, suffix: number, out: Uint8Array, at: number): void {
  const full = data.length - (data.length % SHA256_BLOCK);
  for (let i = 0; i < full; i += SHA256_BLOCK) compress(s, data, i);
  let n = data.length - full;
  for (let i = 0; i < n; i++) tail[i] = data[full + i]!;
  if (suffix >= 0) tail[n++] = suffix;
  tail[n++] = 0x80;
  const end = n + 8 <= SHA256_BLOCK ? SHA256_BLOCK : 2 * SHA256_BLOCK;
  tail.fill(0, n, end - 8);
  const bits = (absorbed + data.length + (suffix >= 0 ? 1 : 0)) * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  tail[end - 8] = high >>> 24;
  tail[end - 7] = high >>> 16;
  tail[end - 6] = high >>> 8;
  tail[end - 5] = high;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  compress(s, tail, 0);
  if (end > SHA256_BLOCK) compress(s, tail, SHA256_BLOCK);
  for (let i = 0; i < 8; i++, at += 4) {
    const word = s[i]!;
    out[at] = word >>> 24;
    out[at + 1] = word >>> 16;
    out[at + 2] = word >>> 8;
    out[at + 3] = word;
  }
}

function wipe(): void {
  schedule.fill(0);
  state.fill(0);
  outerState.fill(0);
  tail.fill(0);
  pad.fill(0);
  innerDigest.fill(0);
  shortKey.fill(0);
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(SHA256_SIZE);
  state.set(IV);
  finish(state, 0, data, -1, out, 0);
  wipe();
  return out;
}

/** The HMAC's key block XOR `byte`, absorbed into `s` from the IV. */
function keyed(s: Int32Array, key: Uint8Array, byte: number): void {
  for (let i = 0; i < SHA256_BLOCK; i++) pad[i] = (i < key.length ? key[i]! : 0) ^ byte;
  s.set(IV);
  compress(s, pad, 0);
}

/**
 * HMAC-SHA-256 (RFC 2104) of `data`, followed by the byte `suffix` if it is
 * 0–255: HKDF-Expand's counter, which then needs no copy of its info.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array, suffix = -1): Uint8Array {
  let k = key;
  if (key.length > SHA256_BLOCK) {
    state.set(IV);
    finish(state, 0, key, -1, shortKey, 0);
    k = shortKey;
  }
  keyed(state, k, 0x36);
  keyed(outerState, k, 0x5c);
  finish(state, SHA256_BLOCK, data, suffix, innerDigest, 0);
  const out = new Uint8Array(SHA256_SIZE);
  finish(outerState, SHA256_BLOCK, innerDigest, -1, out, 0);
  wipe();
  return out;
}

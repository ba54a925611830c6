/**
 * Payloads are padded to size buckets so that stored and pushed ciphertexts
 * reveal only a coarse size. Padding is ISO/IEC 7816-4: one 0x80 byte, then
 * zeros up to the bucket. Buckets double from 256 bytes to 64 KiB, then grow
 * in 64 KiB steps.
 */
const SMALLEST = 256;
const STEP = 64 * 1024;

export function paddedLength(length: number): number {
  const needed = length + 1;
  if (needed <= STEP) {
    let bucket = SMALLEST;
    while (bucket < needed) bucket *= 2;
    return bucket;
  }
  return Math.ceil(needed / STEP) * STEP;
}

/** `allocate` may return memory that is not zeroed (a server cuts it from a pool): every byte is written. */
export function padPayload(
  payload: Uint8Array,
  allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Uint8Array {
  const out = allocate(paddedLength(payload.length));
  out.set(payload);
  out[payload.length] = 0x80;
  out.fill(0, payload.length + 1);
  return out;
}

/** Returns undefined when the input does not end in valid padding. */
export function unpadPayload(padded: Uint8Array): Uint8Array | undefined {
  for (let i = padded.length - 1; i >= 0; i--) {
    const b = padded[i];
    if (b === 0x80) return padded.subarray(0, i);
    if (b !== 0) return undefined;
  }
  return undefined;
}

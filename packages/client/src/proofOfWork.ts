// The puzzle a contact point asks for while it is under attack
// (docs/PROTOCOL.md §18). Solving it takes a phone one to a few seconds, so
// the solver says how far it is: a page that shows nothing meanwhile looks
// frozen, and a customer who gives up is the business's loss.
import { DEFAULT_CIPHERSUITE, loadCiphersuite } from "@bote/core";

export interface ProofOfWorkProgress {
  /** Hashes tried so far. */
  readonly hashes: number;
  /** How many a solution takes on average (2^bits); it may take fewer or several times more. */
  readonly expected: number;
  /** True once, when the nonce is found. */
  readonly done: boolean;
}

/**
 * How often the solver reports and gives the event loop a turn: often enough
 * for a page to paint, rarely enough that a browser's 4 ms floor on nested
 * timers costs little. Checked every 256 hashes.
 */
const TURN_MS = 50;

/** A nonce whose SHA-256(challenge ‖ device key ‖ nonce) starts with `bits` zero bits. */
export async function solveProofOfWork(
  challenge: Uint8Array,
  publicKey: Uint8Array,
  bits: number,
  onProgress: (progress: ProofOfWorkProgress) => void = () => undefined,
): Promise<Uint8Array> {
  const cs = await loadCiphersuite(DEFAULT_CIPHERSUITE);
  const expected = 2 ** bits;
  const input = new Uint8Array(challenge.length + publicKey.length + 8);
  input.set(challenge, 0);
  input.set(publicKey, challenge.length);
  const nonceAt = challenge.length + publicKey.length;
  onProgress({ hashes: 0, expected, done: false });
  let turnAt = Date.now();
  for (let n = 0; ; n++) {
    const nonce = new Uint8Array(8);
    let rest = n;
    for (let i = 7; i >= 0 && rest > 0; i--, rest = Math.floor(rest / 256)) nonce[i] = rest % 256;
    input.set(nonce, nonceAt);
    const hash = await cs.hash.digest(input);
    if (leadingZeroBits(hash) >= bits) {
      onProgress({ hashes: n + 1, expected, done: true });
      return nonce;
    }
    if ((n + 1) % 256 === 0 && Date.now() - turnAt >= TURN_MS) {
      onProgress({ hashes: n + 1, expected, done: false });
      // A turn of the event loop: WebCrypto's answers alone starve the page's timers and painting,
      // so without it a browser showed none of the progress until the puzzle was solved.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      turnAt = Date.now();
    }
  }
}

function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

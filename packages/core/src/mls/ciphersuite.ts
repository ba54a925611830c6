import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from "ts-mls";
import { makePlatformCiphersuite } from "#mls/platform";

/** The suite every organisation uses unless it opts into post-quantum protection. */
export const DEFAULT_CIPHERSUITE = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
/**
 * X-Wing (ML-KEM-768 + X25519) hybrid KEM: protects today's traffic against a
 * future quantum adversary. Key packages are ~1.2 kB larger, so it is opt-in
 * per organisation. Needs the optional peer `@hpke/hybridkem-x-wing`.
 */
export const POST_QUANTUM_CIPHERSUITE = "MLS_256_XWING_AES256GCM_SHA512_Ed25519";

/** Only the suites Bote has tested are selectable; ts-mls knows many more. */
export const BOTE_CIPHERSUITES = [DEFAULT_CIPHERSUITE, POST_QUANTUM_CIPHERSUITE] as const;
export type BoteCiphersuiteName = (typeof BOTE_CIPHERSUITES)[number];

export function isBoteCiphersuite(name: string): name is BoteCiphersuiteName {
  return (BOTE_CIPHERSUITES as readonly string[]).includes(name);
}

// Building a suite imports its crypto modules lazily; doing that once per
// process instead of once per message keeps the hot path free of it.
const loaded = new Map<BoteCiphersuiteName, Promise<CiphersuiteImpl>>();

/** ts-mls's default provider wrapped by the platform's (same bytes, fewer key imports and thread-pool trips). */
async function buildCiphersuite(name: BoteCiphersuiteName): Promise<CiphersuiteImpl> {
  const suite = getCiphersuiteFromName(name);
  return makePlatformCiphersuite(await getCiphersuiteImpl(suite), {
    hash: suite.hash,
    aead: suite.hpke.aead,
    kdf: suite.hpke.kdf,
    signature: suite.signature,
  });
}

export function loadCiphersuite(name: BoteCiphersuiteName = DEFAULT_CIPHERSUITE): Promise<CiphersuiteImpl> {
  let impl = loaded.get(name);
  if (impl === undefined) {
    impl = buildCiphersuite(name);
    // A failed load (e.g. a missing optional peer) must not be cached forever.
    impl.catch(() => loaded.delete(name));
    loaded.set(name, impl);
  }
  return impl;
}

import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from "ts-mls";
import { makePlatformCiphersuite } from "#mls/platform";

export {
  DEFAULT_CIPHERSUITE,
  POST_QUANTUM_CIPHERSUITE,
  BOTE_CIPHERSUITES,
  isBoteCiphersuite,
  type BoteCiphersuiteName,
} from "./ciphersuiteNames.js";
import { DEFAULT_CIPHERSUITE, type BoteCiphersuiteName } from "./ciphersuiteNames.js";

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

// The names of the suites, apart from ciphersuite.ts so that code which only
// names a suite (an invitation link, a join screen) does not load ts-mls.
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

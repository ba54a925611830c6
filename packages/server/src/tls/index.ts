/**
 * HTTPS for `bote serve --domain`: ACME (RFC 8555) through acme-client, the
 * certificate store and its renewal, the HTTP port. A subpath of its own
 * (`@bote/server/tls`), so acme-client is loaded only when a domain is served.
 */
export { CertificateKeeper, type KeeperOptions, type RenewalEvents } from "./CertificateKeeper.js";
export { openHttpPort, type HttpPort } from "./httpPort.js";
export { TlsError, type TlsErrorCode } from "./AcmeError.js";
export type { CertificatePair } from "./obtainCertificate.js";

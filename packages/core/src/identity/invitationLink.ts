// The invitation link: the server's `<base>/join#t=<token>` with the
// invitation's secret and certificate appended to the fragment. A fragment
// never reaches a server in an HTTP request, so the invitation key stays
// between the inviting admin and the newcomer. The organisation's private
// key is never in a link.
import {
  checkInvitationCertificate,
  decodeBase64url,
  decodeInvitationCertificate,
  encodeBase64url,
  encodeInvitationCertificate,
  equalBytes,
  type InvitationCertificate,
} from "@bote/protocol/light";
import { decodeFailure, decodeSuccess, type DecodeResult } from "../decodeResult.js";
import { POST_QUANTUM_CIPHERSUITE, type BoteCiphersuiteName } from "../mls/ciphersuiteNames.js";
import { ED25519_SIGN_KEY_BYTES, publicKeyOf, verifyEd25519 } from "./organisationKey.js";

export interface InvitationSecrets {
  /** The invitation key's Ed25519 seed: certifies the newcomer's account key, once. */
  readonly invitationSignKey: Uint8Array;
  /** Names the account id, name, role and expiry; its organisation key is the newcomer's trust anchor. */
  readonly certificate: InvitationCertificate;
  /**
   * The organisation's MLS ciphersuite when it is not the default (`m=pq`
   * for X-Wing): every device of an organisation must use the same suite to
   * share groups, and the newcomer learns it here, as trusted as the rest
   * of the link.
   */
  readonly ciphersuite?: BoteCiphersuiteName;
}

export interface InvitationLink {
  /** Origin and path up to and including the `/` before `join`, e.g. "https://bote.example.de/". */
  readonly serverUrl: string;
  /** The server's redemption token, as the server wrote it. */
  readonly token: string;
  /** Absent in the first admin's link, which the server makes before an organisation key exists. */
  readonly invitation?: InvitationSecrets;
}

// Generous: the longest valid link is about 600 characters.
const MAX_LINK_CHARS = 4096;
const MAX_TOKEN_CHARS = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PARAMS = ["t", "k", "c", "m"] as const;
const POST_QUANTUM_PARAM = "pq";
type Param = (typeof PARAMS)[number];

/** Appends `&k=…&c=…[&m=pq]` (unpadded base64url) to the server's `…/join#t=<token>` link. */
export function formatInvitationLink(serverJoinUrl: string, secrets: InvitationSecrets): string {
  if (!splitLink(serverJoinUrl).ok || !/#t=[^&]+$/.test(serverJoinUrl)) {
    throw new RangeError("not a server invitation link (…/join#t=<token>)");
  }
  if (secrets.invitationSignKey.length !== ED25519_SIGN_KEY_BYTES) throw new RangeError("invitationSignKey: 32 bytes");
  let link =
    `${serverJoinUrl}&k=${encodeBase64url(secrets.invitationSignKey)}` +
    `&c=${encodeBase64url(encodeInvitationCertificate(secrets.certificate))}`;
  if (secrets.ciphersuite === POST_QUANTUM_CIPHERSUITE) link += `&m=${POST_QUANTUM_PARAM}`;
  return link;
}

function splitLink(url: string): DecodeResult<{ serverUrl: string; fragment: string }> {
  if (url.length === 0) return decodeFailure("empty", "invitationLink");
  if (url.length > MAX_LINK_CHARS) return decodeFailure("wrong_length", "invitationLink");
  const hash = url.indexOf("#");
  if (hash === -1) return decodeFailure("invalid_field", "invitationLink.fragment");
  const base = url.slice(0, hash);
  // scheme://host[:port][/prefix]/join with nothing else: no query, no spaces, no userinfo.
  const match =
    /^(https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?\/(?:[A-Za-z0-9._~%!$'()*+,;=:@-]+\/)*)join$/.exec(
      base,
    );
  if (match?.[1] === undefined) return decodeFailure("invalid_field", "invitationLink.url");
  return decodeSuccess({ serverUrl: match[1], fragment: url.slice(hash + 1) });
}

function bytesParam(value: string, length: number, field: string): DecodeResult<Uint8Array> {
  const bytes = BASE64URL.test(value) ? decodeBase64url(value) : undefined;
  if (bytes === undefined) return decodeFailure("invalid_text", `invitationLink.${field}`);
  if (bytes.length !== length) return decodeFailure("wrong_length", `invitationLink.${field}`);
  return decodeSuccess(bytes);
}

/**
 * The one parse gate for invitation links. Refuses anything but the exact
 * shape formatInvitationLink makes (in any parameter order): unknown or
 * repeated parameters (an old link's organisation key `s` among them), an
 * incomplete pair of secrets, a certificate its own organisation key did
 * not sign, or a `k` that is not the certificate's invitation key. Expiry is
 * the caller's check, with its clock (isInvitationExpired).
 */
export function parseInvitationLink(url: string): DecodeResult<InvitationLink> {
  const split = splitLink(url);
  if (!split.ok) return split;
  const params = new Map<Param, string>();
  for (const pair of split.value.fragment.split("&")) {
    const eq = pair.indexOf("=");
    const name = PARAMS.find((p) => p === pair.slice(0, eq));
    if (eq === -1 || name === undefined) return decodeFailure("invalid_field", "invitationLink.fragment");
    if (params.has(name)) return decodeFailure("invalid_field", `invitationLink.${name}`);
    params.set(name, pair.slice(eq + 1));
  }
  const token = params.get("t");
  if (token === undefined || !BASE64URL.test(token) || token.length > MAX_TOKEN_CHARS) {
    return decodeFailure("invalid_field", "invitationLink.t");
  }
  const { serverUrl } = split.value;
  const [k, c, m] = [params.get("k"), params.get("c"), params.get("m")];
  if (k === undefined && c === undefined && m === undefined) return decodeSuccess({ serverUrl, token });
  if (m !== undefined && m !== POST_QUANTUM_PARAM) return decodeFailure("invalid_field", "invitationLink.m");
  const suite: { ciphersuite?: BoteCiphersuiteName } = m === undefined ? {} : { ciphersuite: POST_QUANTUM_CIPHERSUITE };
  if (k === undefined) return decodeFailure("invalid_field", "invitationLink.k");
  if (c === undefined) return decodeFailure("invalid_field", "invitationLink.c");
  const invitationSignKey = bytesParam(k, ED25519_SIGN_KEY_BYTES, "k");
  if (!invitationSignKey.ok) return invitationSignKey;
  const certificateBytes = c.length > 0 && BASE64URL.test(c) ? decodeBase64url(c) : undefined;
  if (certificateBytes === undefined) return decodeFailure("invalid_text", "invitationLink.c");
  const certificate = decodeInvitationCertificate(certificateBytes);
  if (!certificate.ok) return decodeFailure("invalid_field", `invitationLink.c.${certificate.field}`);
  // Signature only: the expiry is judged at redemption, with the caller's clock.
  const fault = checkInvitationCertificate(
    certificate.value,
    certificate.value.organisationKey,
    certificate.value.expiresAtSeconds,
    verifyEd25519,
  );
  if (fault !== undefined) return decodeFailure("invalid_field", "invitationLink.c.signature");
  const invitationKey = publicKeyOf(invitationSignKey.value);
  if (invitationKey === undefined || !equalBytes(invitationKey, certificate.value.invitationKey)) {
    return decodeFailure("invalid_field", "invitationLink.k");
  }
  return decodeSuccess({
    serverUrl,
    token,
    invitation: { invitationSignKey: invitationSignKey.value, certificate: certificate.value, ...suite },
  });
}

/** Whether the invitation's time is over at `now` (a few minutes of clock difference allowed). */
export function isInvitationExpired(certificate: InvitationCertificate, now: Date): boolean {
  return (
    checkInvitationCertificate(
      certificate,
      certificate.organisationKey,
      Math.floor(now.getTime() / 1000),
      verifyEd25519,
    ) === "invitation_expired"
  );
}

// The invitation link: the server's `<base>/join#t=<token>` with the
// invitation's secret and certificate appended to the fragment. A fragment
// never reaches a server in an HTTP request, so the invitation key stays
// between the inviting admin and the newcomer. The organisation's private
// key is never in a link.
//
// This file reads a link without its crypto (noble's Ed25519 is not in the
// web app's first load); invitationLink.ts adds the signature checks.
import {
  CLOCK_SKEW_SECONDS,
  decodeBase64url,
  decodeInvitationCertificate,
  encodeBase64url,
  encodeInvitationCertificate,
  type InvitationCertificate,
} from "@bote/protocol/light";
import { decodeFailure, decodeSuccess, type DecodeResult } from "../decodeResult.js";
import { POST_QUANTUM_CIPHERSUITE, type BoteCiphersuiteName } from "../mls/ciphersuiteNames.js";

// An Ed25519 seed; organisationKey.ts (which needs noble) checks it is the same.
const ED25519_SIGN_KEY_BYTES = 32;

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
 * An invitation link's shape, as parseInvitationLink checks it but without
 * its signatures: a screen may show what it names before they are checked;
 * nothing may rely on it.
 */
export function readInvitationLink(url: string): DecodeResult<InvitationLink> {
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
  return decodeSuccess({
    serverUrl,
    token,
    invitation: { invitationSignKey: invitationSignKey.value, certificate: certificate.value, ...suite },
  });
}

/** Whether the invitation's time is over at `now` (a few minutes of clock difference allowed), signature aside. */
export function invitationTimeIsOver(certificate: InvitationCertificate, now: Date): boolean {
  return Math.floor(now.getTime() / 1000) > certificate.expiresAtSeconds + CLOCK_SKEW_SECONDS;
}

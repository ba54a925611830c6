// The customer's private way back to an inquiry (docs/PROTOCOL.md §18):
// `<server>/k/<slug>#r=<secret>`. The secret lives only in the fragment,
// which browsers never send, and in what the customer keeps; it names the
// local store that holds the guest's keys and MLS state, and gives a store
// that encrypts at rest its key. The server never sees it, so it can
// neither open the inquiry nor tell two return links apart.
import { decodeBase64url } from "@bote/protocol";
import { DEFAULT_CIPHERSUITE, loadCiphersuite } from "@bote/core";
import { ClientError } from "./clientError.js";
import { parseContactPointUrl } from "./contactPoints.js";
import { b64, randomBytes } from "./ids.js";

const SECRET_BYTES = 32;
const utf8 = new TextEncoder();

export interface ReturnLink {
  readonly serverUrl: string;
  readonly slug: string;
  readonly secret: Uint8Array;
}

export function createReturnSecret(): Uint8Array {
  return randomBytes(SECRET_BYTES);
}

export function formatReturnLink(contactPointUrl: string, secret: Uint8Array): string {
  return `${contactPointUrl.replace(/#.*$/, "")}#r=${b64(secret)}`;
}

/** Refuses anything but a contact point URL with exactly one `r` of 32 bytes in its fragment. */
export function parseReturnLink(link: string): ReturnLink {
  let parsed: ReturnType<typeof parseContactPointUrl>;
  try {
    parsed = parseContactPointUrl(link);
  } catch (err) {
    throw new ClientError("return_link_invalid", "not a contact point link", { cause: err });
  }
  const match = /^r=([A-Za-z0-9_-]+)$/.exec(parsed.fragment);
  const secret = match === null ? undefined : decodeBase64url(match[1]!);
  if (secret === undefined || secret.length !== SECRET_BYTES) throw new ClientError("return_link_invalid", "r");
  return { serverUrl: parsed.serverUrl, slug: parsed.slug, secret };
}

async function derive(label: string, secret: Uint8Array): Promise<Uint8Array> {
  const cs = await loadCiphersuite(DEFAULT_CIPHERSUITE);
  const input = new Uint8Array([...utf8.encode(label), 0, ...secret]);
  return cs.hash.digest(input);
}

/**
 * What the return secret gives a store adapter: a name to find the
 * inquiry's store by (16 bytes of SHA-256, base64url, so the name reveals
 * nothing of the secret) and a 32-byte key for a store that encrypts at
 * rest. Two labels, so one never stands in for the other.
 */
export async function returnLinkStore(secret: Uint8Array): Promise<{ name: string; key: Uint8Array }> {
  const name = `inquiry-${b64((await derive("bote-return-link-store-v1", secret)).subarray(0, 16))}`;
  return { name, key: await derive("bote-return-link-key-v1", secret) };
}

// The customer's side of a contact point (docs/PROTOCOL.md §18): a person
// with no account writes an inquiry, and comes back with a private link to
// read the answers. The web page and `bote inquiry send` both call these.
import {
  applyContactPoint,
  certifyDevice,
  certifyGuest,
  createDevice,
  createOrganisationView,
  createSigningKey,
  DEFAULT_CIPHERSUITE,
  encodeDevice,
  encodeOrganisationView,
  generateSignatureKeyPair,
  loadCiphersuite,
  type ClientStore,
  type ProfileRecord,
} from "@bote/core";
import { create } from "@bufbuild/protobuf";
import { encodeBase64url, InquirySchema, type Attachment, type ContactField, type ContactPoint } from "@bote/protocol";
import { BoteClient } from "./BoteClient.js";
import { ClientError } from "./clientError.js";
import { fetchContactPoint, parseContactPointUrl } from "./contactPoints.js";
import type { OutgoingFile } from "./attachments.js";
import { uploadAttachment } from "./attachments.js";
import { b64, randomId } from "./ids.js";
import type { Transport } from "./ports.js";
import { createReturnSecret, formatReturnLink, parseReturnLink, returnLinkStore } from "./returnLink.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";
import type { SessionCache } from "./session.js";

export interface InquiryInput {
  readonly text: string;
  readonly name?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly address?: string;
  /** Photos and PDFs (at most 10); photos should be cleaned of their metadata first (cleanPhoto). */
  readonly files?: readonly OutgoingFile[];
  /** The customer agreed to the contact point's privacy text; nothing is sent without it. */
  readonly consent: boolean;
  /** "de" (default) or "en": the language of the inquiry and of the answers wanted. */
  readonly locale?: string;
}

export interface GuestOptions {
  readonly transport: Transport;
  /**
   * Opens (or creates) the store of one inquiry. `name` comes from the
   * return link's secret and is the same every time that link is opened;
   * `key` is for a store that encrypts at rest. The CLI opens a SQLite file
   * by that name, the web app an IndexedDB database.
   */
  openStore(name: string, key: Uint8Array): Promise<ClientStore>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sessionCache?: SessionCache;
}

export interface SentInquiry {
  /** `<server>/k/<slug>#r=<secret>`: the only way back to the answers; the server never sees the secret. */
  readonly returnLink: string;
  readonly client: BoteClient;
  readonly conversationId: string;
}

/** The account name a customer who gave none is shown with (the inquiry's own fields say more). */
const NO_NAME: Record<string, string> = { de: "Gast", en: "Guest" };

function requireComplete(contactPoint: ContactPoint, input: InquiryInput): void {
  if (!input.consent) throw new ClientError("inquiry_incomplete", "consent");
  const given: Record<ContactField, string | undefined> = {
    name: input.name,
    phone: input.phone,
    email: input.email,
    address: input.address,
  };
  for (const field of contactPoint.requiredFields) {
    if ((given[field] ?? "").trim() === "") throw new ClientError("inquiry_incomplete", field);
  }
  if (input.text.trim() === "") throw new ClientError("inquiry_incomplete", "text");
}

/**
 * The guest account's name is "Gast" or "Guest", never what the customer
 * typed: the server keeps the guest's certificate, and a customer's name must
 * reach staff only inside the end-to-end-encrypted Inquiry.
 */
function guestName(locale: string): string {
  return NO_NAME[locale.slice(0, 2)] ?? NO_NAME.de!;
}

/** A nonce whose SHA-256(challenge ‖ device key ‖ nonce) starts with `bits` zero bits (docs/PROTOCOL.md §18). */
async function solveProofOfWork(challenge: Uint8Array, publicKey: Uint8Array, bits: number): Promise<Uint8Array> {
  const cs = await loadCiphersuite(DEFAULT_CIPHERSUITE);
  const input = new Uint8Array(challenge.length + publicKey.length + 8);
  input.set(challenge, 0);
  input.set(publicKey, challenge.length);
  const nonceAt = challenge.length + publicKey.length;
  for (let n = 0; ; n++) {
    const nonce = new Uint8Array(8);
    let rest = n;
    for (let i = 7; i >= 0 && rest > 0; i--, rest = Math.floor(rest / 256)) nonce[i] = rest % 256;
    input.set(nonce, nonceAt);
    const hash = await cs.hash.digest(input);
    if (leadingZeroBits(hash) >= bits) return nonce;
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

/**
 * Sends an inquiry to a contact point as a customer without an account:
 *
 * 1. fetches the contact point and checks its signature against the
 *    organisation key the server names (the customer has nothing else to
 *    anchor in; see fetchContactPoint);
 * 2. makes a throw-away device: a device key, a guest account key and its
 *    self-signed certificate for this contact point (checkGuestCertificate),
 *    registers it (solving the server's puzzle when it asks) and stores the
 *    profile in the store the new return link names;
 * 3. logs in, fetches the staff devices' key packages through the contact
 *    point, keeps only devices of accounts the statement names whose chain
 *    holds, and creates the MLS group with them;
 * 4. uploads the files encrypted and sends the Inquiry content.
 *
 * The returned client stays open for the caller (read answers, close it).
 */
export async function sendInquiry(
  contactPointLink: string,
  input: InquiryInput,
  options: GuestOptions,
): Promise<SentInquiry> {
  const { serverUrl, slug } = parseContactPointUrl(contactPointLink);
  const locale = input.locale ?? "de";
  const api = new ServerApi(options.transport.http, serverUrl);
  const page = await fetchContactPoint(api, slug);
  const { contactPoint, organisationKey } = page;
  requireComplete(contactPoint, input);
  const now = new Date((options.now ?? Date.now)());

  const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
  const accountKey = createSigningKey();
  const accountId = randomId();
  const accountCertificate = certifyGuest(
    accountKey,
    {
      accountId,
      displayName: guestName(locale),
      organisationKey,
      contactPointId: contactPoint.contactPointId,
    },
    now,
  );
  const deviceCertificate = certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, now);
  const proof =
    page.proofOfWork === undefined
      ? undefined
      : {
          challenge: page.proofOfWork.challenge,
          nonce: encodeBase64url(
            await solveProofOfWork(
              bytesFrom(page.proofOfWork.challenge, "challenge"),
              signatureKeyPair.publicKey,
              page.proofOfWork.bits,
            ),
          ),
        };
  const guest = await api.createGuest(slug, {
    accountId,
    publicKey: signatureKeyPair.publicKey,
    accountCertificate,
    deviceCertificate,
    ...(proof === undefined ? {} : { proof }),
  });
  if (guest.accountId !== b64(accountId))
    throw new ClientError("server_unexpected", "the server answered for another account");

  const secret = createReturnSecret();
  const { name, key } = await returnLinkStore(secret);
  const store = await options.openStore(name, key);
  if ((await store.getProfile()) !== undefined) throw new ClientError("profile_exists");
  const device = createDevice({
    signatureKeyPair,
    accountCertificate,
    deviceCertificate,
    deliveryAddress: {
      mailboxId: bytesFrom(guest.mailbox.mailboxId, "mailboxId"),
      capability: bytesFrom(guest.mailbox.capability, "capability"),
    },
  });
  // The view anchors in the key the page named and knows this one contact point, so the
  // device's own guest credential passes the same trust policy staff devices apply.
  const view = applyContactPoint(createOrganisationView(organisationKey), contactPoint).view;
  const profile: ProfileRecord = {
    serverUrl,
    accountId: guest.accountId,
    deviceId: guest.deviceId,
    role: "member",
    organisationId: page.organisation.id,
    organisationName: page.organisation.name,
    device: encodeDevice(device),
    accountSignKey: accountKey.signKey,
    organisationSignKey: undefined,
    organisation: encodeOrganisationView(view),
  };
  await store.apply({ profile });
  const client = await BoteClient.open({ ...options, store });
  const files = input.files ?? [];
  const record = await client.startInquiry(slug, contactPoint, async (ctx) => {
    const attachments: Attachment[] = [];
    for (const file of files) attachments.push(await uploadAttachment(ctx, file));
    return create(InquirySchema, {
      text: input.text,
      ...(input.name?.trim() ? { contactName: input.name.trim() } : {}),
      ...(input.phone?.trim() ? { contactPhone: input.phone.trim() } : {}),
      ...(input.email?.trim() ? { contactEmail: input.email.trim() } : {}),
      ...(input.address?.trim() ? { contactAddress: input.address.trim() } : {}),
      consentAtMs: BigInt(now.getTime()),
      contactPointId: contactPoint.contactPointId,
      attachments,
      locale,
    });
  });
  return {
    returnLink: formatReturnLink(contactPointLink, secret),
    client,
    conversationId: record.conversationId,
  };
}

/**
 * Opens the inquiry a return link leads to, from the store its secret
 * names. Fails with return_link_invalid when the link is garbled or this
 * device holds no inquiry for it (another browser, storage cleared).
 */
export async function openInquiry(
  returnLink: string,
  options: GuestOptions,
): Promise<{ client: BoteClient; conversationId: string }> {
  const link = parseReturnLink(returnLink);
  const { name, key } = await returnLinkStore(link.secret);
  const store = await options.openStore(name, key);
  const profile = await store.getProfile();
  if (profile === undefined || profile.serverUrl !== link.serverUrl) {
    throw new ClientError("return_link_invalid", "no inquiry stored for this link");
  }
  const client = await BoteClient.open({ ...options, store });
  const inquiry = (await store.listConversations()).find((c) => c.kind === "inquiry");
  if (inquiry === undefined) throw new ClientError("return_link_invalid", "no inquiry stored for this link");
  return { client, conversationId: inquiry.conversationId };
}

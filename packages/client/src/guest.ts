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
  type ClientStore,
  type ProfileRecord,
} from "@bote/core";
import { create } from "@bufbuild/protobuf";
import {
  encodeBase64url,
  InquirySchema,
  type Attachment,
  type ContactField,
  type ContactPoint,
  type Inquiry,
} from "@bote/protocol";
import type { ClientContext } from "./context.js";
import { BoteClient } from "./BoteClient.js";
import { ClientError } from "./clientError.js";
import { fetchContactPoint, parseContactPointUrl } from "./contactPoints.js";
import type { OutgoingFile } from "./attachments.js";
import { uploadAttachment } from "./attachments.js";
import { b64, randomId } from "./ids.js";
import type { Transport } from "./ports.js";
import { createReturnSecret, formatReturnLink, parseReturnLink, returnLinkStore } from "./returnLink.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";
import { solveProofOfWork, type ProofOfWorkProgress } from "./proofOfWork.js";
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
  /**
   * Called while the device solves the server's puzzle (only when the contact
   * point is under attack): first with 0 hashes, last with `done`. A page
   * shows that it works instead of a button that seems to hang.
   */
  readonly onProofOfWork?: (progress: ProofOfWorkProgress) => void;
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
  /**
   * Deletes the closed store `openStore` made under `name`. sendInquiry calls
   * it when it fails after making one: the return link, which only success
   * hands out, is the one way back to it, so it would hold a device's keys
   * for nobody.
   */
  removeStore(name: string): Promise<void>;
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

interface GuestKeys {
  readonly signatureKeyPair: Awaited<ReturnType<typeof generateSignatureKeyPair>>;
  readonly accountKey: ReturnType<typeof createSigningKey>;
  readonly accountCertificate: ReturnType<typeof certifyGuest>;
  readonly deviceCertificate: ReturnType<typeof certifyDevice>;
}

/** The guest device's profile as the server registered it. */
function guestProfile(
  serverUrl: string,
  page: Awaited<ReturnType<typeof fetchContactPoint>>,
  guest: Awaited<ReturnType<ServerApi["createGuest"]>>,
  keys: GuestKeys,
): ProfileRecord {
  const device = createDevice({
    signatureKeyPair: keys.signatureKeyPair,
    accountCertificate: keys.accountCertificate,
    deviceCertificate: keys.deviceCertificate,
    deliveryAddress: {
      mailboxId: bytesFrom(guest.mailbox.mailboxId, "mailboxId"),
      capability: bytesFrom(guest.mailbox.capability, "capability"),
    },
  });
  // The view anchors in the key the page named and knows this one contact point, so the
  // device's own guest credential passes the same trust policy staff devices apply.
  const view = applyContactPoint(createOrganisationView(page.organisationKey), page.contactPoint).view;
  return {
    serverUrl,
    accountId: guest.accountId,
    deviceId: guest.deviceId,
    role: "member",
    organisationId: page.organisation.id,
    organisationName: page.organisation.name,
    device: encodeDevice(device),
    accountSignKey: keys.accountKey.signKey,
    organisationSignKey: undefined,
    organisation: encodeOrganisationView(view),
  };
}

/** The Inquiry content, once its files are uploaded encrypted. */
async function inquiryContent(
  ctx: ClientContext,
  contactPoint: ContactPoint,
  input: InquiryInput,
  now: Date,
): Promise<Inquiry> {
  const attachments: Attachment[] = [];
  for (const file of input.files ?? []) attachments.push(await uploadAttachment(ctx, file));
  return create(InquirySchema, {
    text: input.text,
    ...(input.name?.trim() ? { contactName: input.name.trim() } : {}),
    ...(input.phone?.trim() ? { contactPhone: input.phone.trim() } : {}),
    ...(input.email?.trim() ? { contactEmail: input.email.trim() } : {}),
    ...(input.address?.trim() ? { contactAddress: input.address.trim() } : {}),
    consentAtMs: BigInt(now.getTime()),
    contactPointId: contactPoint.contactPointId,
    attachments,
    locale: input.locale ?? "de",
  });
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
              input.onProofOfWork,
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
  if ((await store.getProfile()) !== undefined) {
    // An earlier inquiry's (a 32-byte secret that repeats): not this call's to remove.
    await store.close();
    throw new ClientError("profile_exists");
  }
  let client: BoteClient | undefined;
  try {
    await store.apply({
      profile: guestProfile(serverUrl, page, guest, {
        signatureKeyPair,
        accountKey,
        accountCertificate,
        deviceCertificate,
      }),
    });
    client = await BoteClient.open({ ...options, store });
    const record = await client.startInquiry(slug, contactPoint, (ctx) =>
      inquiryContent(ctx, contactPoint, input, now),
    );
    return { returnLink: formatReturnLink(contactPointLink, secret), client, conversationId: record.conversationId };
  } catch (error) {
    await (client ?? store).close().catch(() => undefined);
    // The caller hears of the failure that matters; a store left behind holds nothing anyone can reach.
    await options.removeStore(name).catch(() => undefined);
    throw error;
  }
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

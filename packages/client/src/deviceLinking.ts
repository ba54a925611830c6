// A person's second device (phone + PC), linked from a logged-in one. The
// logged-in device A and the new device B agree on keys through the server
// with a commit–reveal exchange and a comparison code the person checks on
// both screens (core/identity/deviceLink.ts). A then certifies B's device
// key with the account key, seals the account key (and, on an admin's
// device, the organisation key), the organisation view and the contacts for
// B, and adds B to every chat it is in. History stays where it was: B shows
// chats from the moment it was linked (docs/ARCHITECTURE.md says why).
import {
  certifyDevice,
  checkLinkCommitment,
  createDevice,
  createLinkEphemeral,
  decodeOrganisationView,
  deriveLinkSecrets,
  encodeDevice,
  encodeOrganisationView,
  generateSignatureKeyPair,
  isBoteCiphersuite,
  linkCommitment,
  openLinkPackage,
  publicKeyOf,
  sealLinkPackage,
  type BoteCiphersuiteName,
  type ContactRecord,
  type ProfileRecord,
} from "@bote/core";
import {
  decodeAccountCertificate,
  decodeBase64url,
  encodeAccountCertificate,
  encodeBase64url,
  equalBytes,
} from "@bote/protocol";
import { BoteClient, type OpenOptions } from "./BoteClient.js";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";

const POLL_MS = 700;
const LINK_TIMEOUT_MS = 10 * 60_000;

/** What A seals for B: everything a device of this person needs besides its own key. */
interface LinkPackage {
  v: 1;
  serverUrl: string;
  accountId: string;
  role: "admin" | "member";
  organisationId: string;
  organisationName: string;
  ciphersuite: string;
  accountSignKey: string;
  organisationSignKey?: string;
  accountCertificate: string;
  organisation: string;
  contacts: ContactRecord[];
}

async function poll<T>(
  what: () => Promise<T | undefined>,
  deadline: number,
  signal?: { readonly aborted: boolean },
): Promise<T> {
  for (;;) {
    if (signal?.aborted === true) throw new ClientError("device_link_failed", "cancelled");
    const value = await what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ClientError("device_link_failed", "timed out");
    await new Promise<void>((resolve) => setTimeout(() => resolve(), POLL_MS));
  }
}

/** The logged-in device's side of a link, step by step, so a UI can show each. */
export interface DeviceLinkOffer {
  /** To type on the new device: "XXXXX-XXXXX". */
  readonly code: string;
  /** To open on the new device, e.g. from a QR code: `<server>/link#c=<code>`. */
  readonly url: string;
  readonly expiresAt: string;
  /** Resolves when the new device answered: the comparison code to show next to the new device's. */
  waitForDevice(signal?: { readonly aborted: boolean }): Promise<{ comparisonCode: string }>;
  /** After the person saw the same code on both screens: certify, seal, hand over, add to every chat. */
  confirm(): Promise<{ deviceId: string }>;
}

export async function startDeviceLink(
  ctx: ClientContext,
  addToChats: (deviceId: string) => Promise<void>,
): Promise<DeviceLinkOffer> {
  const own = createLinkEphemeral();
  const started = await ctx.session.api.startDeviceLink(linkCommitment(own.publicKey));
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  let joiner: { ephemeralKey: Uint8Array; deviceKey: Uint8Array; sealingKey: Uint8Array } | undefined;
  return {
    code: started.code,
    url: started.url,
    expiresAt: started.expiresAt,
    async waitForDevice(signal) {
      const claimed = await poll(
        async () => {
          const link = await ctx.session.api.deviceLink(started.linkId);
          return link.state === "keyed" ? link : undefined;
        },
        deadline,
        signal,
      );
      const ephemeralKey = bytesFrom(claimed.ephemeralKey, "ephemeralKey");
      const deviceKey = bytesFrom(claimed.publicKey, "publicKey");
      await ctx.session.api.revealDeviceLink(started.linkId, own.publicKey);
      const secrets = deriveLinkSecrets({
        own,
        peerPublicKey: ephemeralKey,
        initiatorPublicKey: own.publicKey,
        joinerPublicKey: ephemeralKey,
      });
      joiner = { ephemeralKey, deviceKey, sealingKey: secrets.sealingKey };
      return { comparisonCode: secrets.comparisonCode };
    },
    async confirm() {
      if (joiner === undefined) throw new ClientError("device_link_failed", "no device has answered yet");
      const profile = ctx.profile();
      const accountKey = { signKey: profile.accountSignKey, publicKey: publicKeyOf(profile.accountSignKey)! };
      const credential = ctx.device().credential;
      const deviceCertificate = certifyDevice(credential.accountId, accountKey, joiner.deviceKey, new Date(ctx.now()));
      const pack: LinkPackage = {
        v: 1,
        serverUrl: profile.serverUrl,
        accountId: profile.accountId,
        role: profile.role,
        organisationId: profile.organisationId,
        organisationName: profile.organisationName,
        ciphersuite: ctx.device().ciphersuite,
        accountSignKey: encodeBase64url(profile.accountSignKey),
        ...(profile.organisationSignKey === undefined
          ? {}
          : { organisationSignKey: encodeBase64url(profile.organisationSignKey) }),
        accountCertificate: encodeBase64url(encodeAccountCertificate(credential.accountCertificate)),
        organisation: encodeBase64url(encodeOrganisationView(ctx.organisation())),
        contacts: await ctx.store.listContacts(),
      };
      const sealed = await sealLinkPackage(joiner.sealingKey, new TextEncoder().encode(JSON.stringify(pack)));
      const { deviceId } = await ctx.session.api.completeDeviceLink(started.linkId, deviceCertificate, sealed);
      await addToChats(deviceId);
      return { deviceId };
    },
  };
}

export interface LinkDeviceOptions extends OpenOptions {
  /** The link from the other device (`…/link#c=…`), or its code with `serverUrl`. */
  readonly link: string;
  readonly serverUrl?: string;
  /** Called with the comparison code to show; the person checks it against the other screen. */
  readonly onComparisonCode: (code: string) => void;
  readonly signal?: { readonly aborted: boolean };
}

/** Splits `<server>/link#c=<code>` into its server and code; a bare code needs `serverUrl`. */
export function parseDeviceLink(link: string, serverUrl?: string): { serverUrl: string; code: string } {
  const match = /^(https?:\/\/[^#?]+\/)link#c=([0-9A-Za-z-]{10,11})$/.exec(link.trim());
  if (match !== null) return { serverUrl: match[1]!, code: match[2]! };
  const code = link.trim();
  if (serverUrl === undefined || !/^[0-9A-Za-z -]{10,13}$/.test(code)) {
    throw new ClientError("device_link_failed", "not a device link or code");
  }
  return { serverUrl: serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`, code };
}

/**
 * The new device's side: claims the link, shows the comparison code, waits
 * for the other device's confirmation, and becomes a device of the same
 * account with its own key.
 */
export async function linkThisDevice(options: LinkDeviceOptions): Promise<BoteClient> {
  const { store } = options;
  if ((await store.getProfile()) !== undefined) throw new ClientError("profile_exists");
  const { serverUrl, code } = parseDeviceLink(options.link, options.serverUrl);
  const api = new ServerApi(options.transport.http, serverUrl);
  const own = createLinkEphemeral();
  // Ed25519 in every Bote suite; the suite itself comes with the package.
  const signatureKeyPair = await generateSignatureKeyPair("MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519");
  // A's commitment first, our key after it: the server can then choose neither side's key after seeing the other's.
  const claimed = await api.claimDeviceLink(code, signatureKeyPair.publicKey);
  const commitment = bytesFrom(claimed.commitment, "commitment");
  await api.keyDeviceLink(claimed.linkId, claimed.claimToken, own.publicKey);
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  const status = () => api.deviceLinkStatus(claimed.linkId, claimed.claimToken);
  const revealed = await poll(
    async () => {
      const s = await status();
      return s.ephemeralKey === undefined ? undefined : s;
    },
    deadline,
    options.signal,
  );
  const initiatorKey = bytesFrom(revealed.ephemeralKey, "ephemeralKey");
  // The server cannot have chosen A's key after seeing ours: it must be the one A committed to.
  if (!checkLinkCommitment(commitment, initiatorKey)) {
    throw new ClientError("device_link_failed", "the other device's key does not match its commitment");
  }
  const secrets = deriveLinkSecrets({
    own,
    peerPublicKey: initiatorKey,
    initiatorPublicKey: initiatorKey,
    joinerPublicKey: own.publicKey,
  });
  options.onComparisonCode(secrets.comparisonCode);
  // The answer that carries the package is the last one (the server then forgets the link): it may have come already.
  const completed =
    revealed.sealed !== undefined
      ? revealed
      : await poll(
          async () => {
            const s = await status();
            return s.sealed === undefined ? undefined : s;
          },
          deadline,
          options.signal,
        );
  const opened = await openLinkPackage(secrets.sealingKey, bytesFrom(completed.sealed, "sealed"));
  if (opened === undefined) throw new ClientError("device_link_failed", "the package does not open");
  const profile = profileFrom(JSON.parse(new TextDecoder().decode(opened)) as LinkPackage, {
    serverUrl,
    deviceId: completed.deviceId,
    mailbox: completed.mailbox,
    signatureKeyPair,
  });
  await store.apply({ profile: profile.record, contacts: profile.contacts });
  const client = await BoteClient.open(options);
  await client.connect();
  return client;
}

function profileFrom(
  pack: LinkPackage,
  own: {
    serverUrl: string;
    deviceId: string | undefined;
    mailbox: { mailboxId: string; capability: string } | undefined;
    signatureKeyPair: { signKey: Uint8Array; publicKey: Uint8Array };
  },
): { record: ProfileRecord; contacts: ContactRecord[] } {
  const broken = (field: string) => new ClientError("device_link_failed", `package: ${field}`);
  const bytes = (text: unknown, field: string) => {
    const out = typeof text === "string" ? decodeBase64url(text) : undefined;
    if (out === undefined) throw broken(field);
    return out;
  };
  if (pack.v !== 1 || own.deviceId === undefined || own.mailbox === undefined) throw broken("version");
  const accountCertificate = decodeAccountCertificate(bytes(pack.accountCertificate, "accountCertificate"));
  if (!accountCertificate.ok) throw broken("accountCertificate");
  const accountSignKey = bytes(pack.accountSignKey, "accountSignKey");
  const accountKey = publicKeyOf(accountSignKey);
  // The package must be this account's: its key is the one the certificate names.
  if (accountKey === undefined || !equalBytes(accountKey, accountCertificate.value.accountKey)) {
    throw broken("accountSignKey");
  }
  if (!isBoteCiphersuite(pack.ciphersuite)) throw broken("ciphersuite");
  const ciphersuite: BoteCiphersuiteName = pack.ciphersuite;
  const organisation = bytes(pack.organisation, "organisation");
  decodeOrganisationView(organisation);
  const device = createDevice({
    ciphersuite,
    signatureKeyPair: own.signatureKeyPair,
    accountCertificate: accountCertificate.value,
    deviceCertificate: certifyDevice(
      accountCertificate.value.accountId,
      { signKey: accountSignKey, publicKey: accountKey },
      own.signatureKeyPair.publicKey,
      new Date(),
    ),
    deliveryAddress: {
      mailboxId: bytes(own.mailbox.mailboxId, "mailboxId"),
      capability: bytes(own.mailbox.capability, "capability"),
    },
  });
  return {
    record: {
      serverUrl: own.serverUrl,
      accountId: b64(accountCertificate.value.accountId),
      deviceId: own.deviceId,
      role: accountCertificate.value.role,
      organisationId: pack.organisationId,
      organisationName: pack.organisationName,
      device: encodeDevice(device),
      accountSignKey,
      organisationSignKey:
        pack.organisationSignKey === undefined ? undefined : bytes(pack.organisationSignKey, "organisationSignKey"),
      organisation,
    },
    contacts: Array.isArray(pack.contacts) ? pack.contacts : [],
  };
}

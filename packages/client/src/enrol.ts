import {
  admitAccount,
  certifyAccount,
  certifyAccountByInvitation,
  certifyDevice,
  createDevice,
  createOrganisationView,
  createSigningKey,
  publicKeyOf,
  DEFAULT_CIPHERSUITE,
  encodeDevice,
  encodeOrganisationView,
  generateSignatureKeyPair,
  isInvitationExpired,
  parseInvitationLink,
  type BoteCiphersuiteName,
  type ClientStore,
  type ProfileRecord,
} from "@bote/core";
import { isCanonicalDisplayName, type AccountCertificate } from "@bote/protocol";
import { BoteClient, type OpenOptions } from "./BoteClient.js";
import { ClientError } from "./clientError.js";
import { b64, randomId } from "./ids.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";

export interface JoinOptions extends OpenOptions {
  readonly invitationLink: string;
  /**
   * Only the first admin types a name: every later invitation names its
   * person, signed by the organisation, and the link's name is the one used.
   */
  readonly displayName?: string;
  /**
   * The first admin chooses the organisation's MLS suite (X-Wing for
   * post-quantum protection); everyone else gets it from their link.
   */
  readonly ciphersuite?: BoteCiphersuiteName;
  /**
   * A recovery (`bote serve --recovery-invite`): the organisation key
   * restored from the recovery kit (openRecoveryKit, parseRecoveryCode). The
   * device certifies its own admin account with it instead of making a key.
   */
  readonly organisationSignKey?: Uint8Array;
}

/**
 * Turns an invitation link into a device: a device key, an account key
 * certified for exactly the account the invitation names (with the
 * invitation key from the link's fragment), the device certified by the
 * account key, an account on the server, a stored profile, a login and a
 * stock of key packages.
 *
 * The first admin's invitation (printed by the server at its first start)
 * carries no invitation key: that device makes the organisation key,
 * certifies its own account with it, and keeps it; the server learns only
 * its public half.
 */
export async function joinWithInvitation(options: JoinOptions): Promise<BoteClient> {
  const link = parseInvitationLink(options.invitationLink);
  if (!link.ok) throw new ClientError("invitation_link_invalid", link.error.field);
  const store: ClientStore = options.store;
  if ((await store.getProfile()) !== undefined) throw new ClientError("profile_exists");
  const now = new Date((options.now ?? Date.now)());
  const invitation = link.value.invitation;
  if (invitation !== undefined && isInvitationExpired(invitation.certificate, now)) {
    throw new ClientError("invitation_invalid", "the invitation has expired");
  }
  const ciphersuite = invitation?.ciphersuite ?? options.ciphersuite ?? DEFAULT_CIPHERSUITE;
  const signatureKeyPair = await generateSignatureKeyPair(ciphersuite);
  const accountKey = createSigningKey();
  let organisationKey: ReturnType<typeof createSigningKey> | undefined;
  let accountCertificate: AccountCertificate;
  if (invitation !== undefined) {
    accountCertificate = certifyAccountByInvitation(
      invitation.certificate,
      invitation.invitationSignKey,
      accountKey.publicKey,
      now,
    );
  } else {
    const displayName = options.displayName?.normalize("NFC").trim() ?? "";
    if (!isCanonicalDisplayName(displayName)) throw new ClientError("bad_request", "displayName");
    organisationKey = restoredKey(options.organisationSignKey) ?? createSigningKey();
    const accountId = randomId();
    accountCertificate = certifyAccount(
      organisationKey,
      { accountId, displayName, role: "admin", accountKey: accountKey.publicKey },
      { issuedBy: accountId, now },
    );
  }
  const { accountId } = accountCertificate;
  const deviceCertificate = certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, now);
  const api = new ServerApi(options.transport.http, link.value.serverUrl);
  const redeemed = await api.redeemInvitation({
    token: link.value.token,
    accountId,
    publicKey: signatureKeyPair.publicKey,
    accountCertificate,
    deviceCertificate,
    ...(organisationKey === undefined ? {} : { organisationKey: organisationKey.publicKey }),
  });
  if (redeemed.accountId !== b64(accountId) || redeemed.role !== accountCertificate.role) {
    throw new ClientError("server_unexpected", "the server answered for another account");
  }
  const device = createDevice({
    ciphersuite,
    signatureKeyPair,
    accountCertificate,
    deviceCertificate,
    deliveryAddress: {
      mailboxId: bytesFrom(redeemed.mailbox.mailboxId, "mailboxId"),
      capability: bytesFrom(redeemed.mailbox.capability, "capability"),
    },
  });
  // The anchor: the organisation key the link's certificate names, or the one this device just made.
  const anchor = organisationKey?.publicKey ?? accountCertificate.organisationKey;
  const admitted = admitAccount(createOrganisationView(anchor), accountCertificate, now);
  if (admitted.outcome.kind !== "admitted") throw new ClientError("invitation_link_invalid", "certificate");
  const profile: ProfileRecord = {
    serverUrl: link.value.serverUrl,
    accountId: redeemed.accountId,
    deviceId: redeemed.deviceId,
    role: accountCertificate.role,
    organisationId: redeemed.organisation.id,
    organisationName: redeemed.organisation.name,
    device: encodeDevice(device),
    accountSignKey: accountKey.signKey,
    organisationSignKey: organisationKey?.signKey,
    organisation: encodeOrganisationView(admitted.view),
  };
  await store.apply({ profile });
  const client = await BoteClient.open(options);
  await client.connect();
  return client;
}

function restoredKey(signKey: Uint8Array | undefined): ReturnType<typeof createSigningKey> | undefined {
  if (signKey === undefined) return undefined;
  const publicKey = publicKeyOf(signKey);
  if (publicKey === undefined) throw new ClientError("bad_request", "organisationSignKey");
  return { signKey, publicKey };
}

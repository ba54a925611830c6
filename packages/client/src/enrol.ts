import {
  createDevice,
  createOrganisationKey,
  DEFAULT_CIPHERSUITE,
  encodeDevice,
  endorseByInvitation,
  endorseByOrganisation,
  generateSignatureKeyPair,
  parseInvitationLink,
  type BoteCiphersuiteName,
  type ClientStore,
  type Device,
  type Endorsement,
  type ProfileRecord,
} from "@bote/core";
import { BoteClient, type OpenOptions } from "./BoteClient.js";
import { ClientError } from "./clientError.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";
import { Session } from "./session.js";

export interface JoinOptions extends OpenOptions {
  readonly invitationLink: string;
  readonly displayName: string;
  /**
   * The first admin chooses the organisation's MLS suite (X-Wing for
   * post-quantum protection); everyone else gets it from their link.
   */
  readonly ciphersuite?: BoteCiphersuiteName;
}

/**
 * Turns an invitation link into a device: a key pair, an account on the
 * server, a credential signed with the invitation key from the link's
 * fragment, a stored profile, a login and a stock of key packages.
 *
 * The first admin's invitation (printed by the server at its first start)
 * carries no organisation key: that device creates it, and is from then on
 * the one that signs invitations.
 */
export async function joinWithInvitation(options: JoinOptions): Promise<BoteClient> {
  const link = parseInvitationLink(options.invitationLink);
  if (!link.ok) throw new ClientError("invitation_link_invalid", link.error.field);
  const store: ClientStore = options.store;
  if ((await store.getProfile()) !== undefined) throw new ClientError("profile_exists");
  const now = options.now ?? Date.now;
  const displayName = options.displayName.normalize("NFC").trim();
  const ciphersuite = link.value.invitation?.ciphersuite ?? options.ciphersuite ?? DEFAULT_CIPHERSUITE;
  const signatureKeyPair = await generateSignatureKeyPair(ciphersuite);
  const api = new ServerApi(options.transport.http, link.value.serverUrl);
  const redeemed = await api.redeemInvitation(link.value.token, displayName, signatureKeyPair.publicKey);
  const fields = {
    accountId: bytesFrom(redeemed.accountId, "accountId"),
    devicePublicKey: signatureKeyPair.publicKey,
    displayName,
  };
  const unendorsed = await createDevice({
    ...fields,
    ciphersuite,
    signatureKeyPair,
    deliveryAddress: {
      mailboxId: bytesFrom(redeemed.mailbox.mailboxId, "mailboxId"),
      capability: bytesFrom(redeemed.mailbox.capability, "capability"),
    },
  });
  let organisationPublicKey: Uint8Array | undefined;
  let organisationSignKey: Uint8Array | undefined;
  let endorsement: Endorsement | undefined;
  const invitation = link.value.invitation;
  if (invitation !== undefined) {
    organisationPublicKey = invitation.organisationPublicKey;
    organisationSignKey = invitation.organisationSignKey;
    endorsement = endorseByInvitation(fields, invitation.certificate, invitation.invitationSignKey);
  } else if (redeemed.role === "admin" && (await isFirstAccount(api, redeemed.deviceId, unendorsed, now))) {
    const organisationKey = createOrganisationKey();
    organisationPublicKey = organisationKey.publicKey;
    organisationSignKey = organisationKey.signKey;
    endorsement = endorseByOrganisation(fields, organisationKey);
  }
  const device = { ...unendorsed, credential: { ...unendorsed.credential, endorsement } };
  const profile: ProfileRecord = {
    serverUrl: link.value.serverUrl,
    accountId: redeemed.accountId,
    deviceId: redeemed.deviceId,
    role: redeemed.role,
    organisationId: redeemed.organisation.id,
    organisationName: redeemed.organisation.name,
    device: encodeDevice(device),
    organisationPublicKey,
    organisationSignKey,
  };
  await store.apply({ profile });
  const client = await BoteClient.open(options);
  await client.connect();
  return client;
}

/** Only the organisation's first account may create its key; any later admin gets it through an admin invitation. */
async function isFirstAccount(api: ServerApi, deviceId: string, device: Device, now: () => number): Promise<boolean> {
  const session = new Session(api, deviceId, () => device, now);
  await session.sessionToken();
  const { members } = await session.api.members();
  return members.length === 1;
}

/**
 * Account setup against the real server's HTTP API, before anything is
 * measured, by the same trust chain a real admin device uses: the first
 * admin makes the organisation key and certifies its own account; then it
 * certifies one invitation per benchmark device. Each device makes its
 * account key, certifies itself provisionally with the invitation key,
 * certifies its device key, redeems, and logs in by signing the challenge.
 * All keys are Ed25519 from node:crypto.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import {
  STATEMENT_LABELS,
  accountCertificateBody,
  decodeBase64url,
  deviceCertificateBody,
  encodeAccountCertificate,
  encodeBase64url,
  encodeDeviceCertificate,
  encodeInvitationCertificate,
  invitationCertificateBody,
  loginSignedBytes,
  signedMessage,
  type AccountCertificate,
  type AccountIssuer,
  type CreateInvitationResponse,
  type InvitationCertificate,
  type LoginChallengeResponse,
  type LoginResponse,
  type RedeemInvitationResponse,
  type StatementLabel,
} from "@bote/protocol";
import type { Identity } from "./ipc.js";

const REQUEST_TIMEOUT_MS = 30_000;
const INVITATION_LIFETIME_SECONDS = 24 * 3600;

async function post<T>(baseUrl: string, path: string, body: unknown, bearer?: string): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(new URL(path, baseUrl), {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

function bytes(text: string, what: string): Uint8Array {
  const b = decodeBase64url(text);
  if (b === undefined) throw new Error(`server sent a bad ${what}`);
  return b;
}

interface KeyPair {
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.x === undefined) throw new Error("no raw Ed25519 public key");
  return { privateKey, publicKey: bytes(jwk.x, "public key") };
}

function signAs(key: KeyPair, label: StatementLabel, body: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, signedMessage(label, body), key.privateKey));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The first admin: the organisation key and the admin's logged-in identity. */
interface Admin {
  organisation: KeyPair;
  accountId: Uint8Array;
  token: string;
}

function accountCertificate(
  signer: KeyPair,
  organisationKey: Uint8Array,
  fields: { accountId: Uint8Array; accountKey: Uint8Array; displayName: string; issuer: AccountIssuer },
  role: "admin" | "member",
): AccountCertificate {
  const body = { organisationKey, role, issuedAtSeconds: nowSeconds(), ...fields };
  return { ...body, signature: signAs(signer, STATEMENT_LABELS.account, accountCertificateBody(body)) };
}

/** Redeems with a fresh account and device key and logs the device in. */
async function enrol(
  baseUrl: string,
  token: string,
  certify: (accountKey: Uint8Array) => AccountCertificate,
  organisationKey?: Uint8Array,
): Promise<Identity & { accountId: Uint8Array }> {
  const device = newKeyPair();
  const accountKey = newKeyPair();
  const certificate = certify(accountKey.publicKey);
  const deviceBody = {
    accountId: certificate.accountId,
    accountKey: accountKey.publicKey,
    deviceKey: device.publicKey,
    issuedAtSeconds: nowSeconds(),
  };
  const deviceCertificate = {
    ...deviceBody,
    signature: signAs(accountKey, STATEMENT_LABELS.device, deviceCertificateBody(deviceBody)),
  };
  const redeemed = await post<RedeemInvitationResponse>(baseUrl, "/v1/invitations/redeem", {
    token,
    accountId: encodeBase64url(certificate.accountId),
    publicKey: encodeBase64url(device.publicKey),
    accountCertificate: encodeBase64url(encodeAccountCertificate(certificate)),
    deviceCertificate: encodeBase64url(encodeDeviceCertificate(deviceCertificate)),
    ...(organisationKey === undefined ? {} : { organisationKey: encodeBase64url(organisationKey) }),
  });
  const deviceId = bytes(redeemed.deviceId, "deviceId");
  const { challenge } = await post<LoginChallengeResponse>(baseUrl, "/v1/login/challenge", {
    deviceId: redeemed.deviceId,
  });
  const signature = sign(null, loginSignedBytes(deviceId, bytes(challenge, "challenge")), device.privateKey);
  const { sessionToken } = await post<LoginResponse>(baseUrl, "/v1/login", {
    deviceId: redeemed.deviceId,
    challenge,
    signature: encodeBase64url(signature),
  });
  return {
    accountId: certificate.accountId,
    token: sessionToken,
    mailboxId: bytes(redeemed.mailbox.mailboxId, "mailboxId"),
    capability: bytes(redeemed.mailbox.capability, "capability"),
  };
}

async function enrolAdmin(baseUrl: string, adminInviteToken: string): Promise<Admin> {
  const organisation = newKeyPair();
  const accountId = new Uint8Array(randomBytes(16));
  const admin = await enrol(
    baseUrl,
    adminInviteToken,
    (accountKey) =>
      accountCertificate(
        organisation,
        organisation.publicKey,
        { accountId, accountKey, displayName: "Bench Admin", issuer: { kind: "organisation", issuedBy: accountId } },
        "admin",
      ),
    organisation.publicKey,
  );
  return { organisation, accountId, token: admin.token };
}

/** One member: the admin certifies an invitation, the new device redeems it provisionally. */
async function enrolMember(baseUrl: string, admin: Admin, displayName: string): Promise<Identity> {
  const invitationKey = newKeyPair();
  const body = {
    organisationKey: admin.organisation.publicKey,
    invitationKey: invitationKey.publicKey,
    accountId: new Uint8Array(randomBytes(16)),
    role: "member" as const,
    displayName,
    expiresAtSeconds: nowSeconds() + INVITATION_LIFETIME_SECONDS,
    issuedBy: admin.accountId,
  };
  const invitation: InvitationCertificate = {
    ...body,
    signature: signAs(admin.organisation, STATEMENT_LABELS.invitation, invitationCertificateBody(body)),
  };
  const created = await post<CreateInvitationResponse>(
    baseUrl,
    "/v1/invitations",
    { certificate: encodeBase64url(encodeInvitationCertificate(invitation)) },
    admin.token,
  );
  const member = await enrol(baseUrl, created.token, (accountKey) =>
    accountCertificate(
      invitationKey,
      admin.organisation.publicKey,
      { accountId: invitation.accountId, accountKey, displayName, issuer: { kind: "invitation", invitation } },
      "member",
    ),
  );
  return { token: member.token, mailboxId: member.mailboxId, capability: member.capability };
}

/** Creates `count` logged-in member devices, `concurrency` enrolments at a time. */
export async function createIdentities(
  baseUrl: string,
  adminInviteToken: string,
  count: number,
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<Identity[]> {
  const admin = await enrolAdmin(baseUrl, adminInviteToken);
  const out: Identity[] = new Array<Identity>(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      out[i] = await enrolMember(baseUrl, admin, `Bench ${i}`);
      if (++done % 1000 === 0) onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

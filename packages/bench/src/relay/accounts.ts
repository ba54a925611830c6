/**
 * Account setup against the real server's HTTP API, before anything is
 * measured: the first admin invitation is redeemed, then the admin invites
 * one member per benchmark device; each device has its own Ed25519 key,
 * redeems its invitation and logs in by signing the server's challenge.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import {
  decodeBase64url,
  encodeBase64url,
  loginSignedBytes,
  type CreateInvitationResponse,
  type LoginChallengeResponse,
  type LoginResponse,
  type RedeemInvitationResponse,
} from "@bote/protocol";
import type { Identity } from "./ipc.js";

const REQUEST_TIMEOUT_MS = 30_000;

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

/** Redeems an invitation with a fresh device key and logs the device in. */
async function enrol(baseUrl: string, invitationToken: string, displayName: string): Promise<Identity> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.x === undefined) throw new Error("no raw Ed25519 public key");
  const redeemed = await post<RedeemInvitationResponse>(baseUrl, "/v1/invitations/redeem", {
    token: invitationToken,
    displayName,
    publicKey: jwk.x,
  });
  const deviceId = bytes(redeemed.deviceId, "deviceId");
  const { challenge } = await post<LoginChallengeResponse>(baseUrl, "/v1/login/challenge", {
    deviceId: redeemed.deviceId,
  });
  const signature = sign(null, loginSignedBytes(deviceId, bytes(challenge, "challenge")), privateKey);
  const { sessionToken } = await post<LoginResponse>(baseUrl, "/v1/login", {
    deviceId: redeemed.deviceId,
    challenge,
    signature: encodeBase64url(signature),
  });
  return {
    token: sessionToken,
    mailboxId: bytes(redeemed.mailbox.mailboxId, "mailboxId"),
    capability: bytes(redeemed.mailbox.capability, "capability"),
  };
}

/** Creates `count` logged-in member devices, `concurrency` enrolments at a time. */
export async function createIdentities(
  baseUrl: string,
  adminInviteToken: string,
  count: number,
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<Identity[]> {
  const admin = await enrol(baseUrl, adminInviteToken, "Bench Admin");
  const out: Identity[] = new Array<Identity>(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const invitation = await post<CreateInvitationResponse>(
        baseUrl,
        "/v1/invitations",
        { role: "member" },
        admin.token,
      );
      out[i] = await enrol(baseUrl, invitation.token, `Bench ${i}`);
      if (++done % 1000 === 0) onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

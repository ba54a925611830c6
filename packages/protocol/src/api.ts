/**
 * The HTTP control plane: request schemas (the parse gate every body passes)
 * and response shapes. Binary values travel as unpadded base64url strings.
 */
import { z } from "zod";
import { decodeBase64url } from "./base64url.js";
import { ID_BYTES, MAX_DISPLAY_NAME_CHARS, MAX_KEY_PACKAGE_BYTES, MAX_KEY_PACKAGES_PER_UPLOAD } from "./limits.js";

/** base64url text that must decode to between min and max bytes. */
export function base64urlBytes(min: number, max = min) {
  return z
    .string()
    .max(Math.ceil((max * 4) / 3) + 2)
    .transform((text, ctx) => {
      const bytes = decodeBase64url(text);
      if (bytes === undefined || bytes.length < min || bytes.length > max) {
        ctx.addIssue({
          code: "custom",
          message: min === max ? `expected ${min} bytes as base64url` : `expected ${min}–${max} bytes as base64url`,
        });
        return z.NEVER;
      }
      return bytes;
    });
}

const id = base64urlBytes(ID_BYTES);
const displayName = z
  .string()
  .transform((s) => s.normalize("NFC").trim())
  .pipe(z.string().min(1).max(MAX_DISPLAY_NAME_CHARS))
  .refine((s) => !/\p{Cc}/u.test(s), "control characters are not allowed");

export const roleSchema = z.enum(["admin", "member"]);
export type Role = z.infer<typeof roleSchema>;

export const redeemInvitationRequest = z.strictObject({
  token: z.string().min(16).max(128),
  displayName,
  /** Ed25519 public key of the new device, 32 bytes. */
  publicKey: base64urlBytes(32),
});

export const loginChallengeRequest = z.strictObject({ deviceId: id });

export const loginRequest = z.strictObject({
  deviceId: id,
  challenge: base64urlBytes(32),
  /** Ed25519 signature over loginSignedBytes(deviceId, challenge). */
  signature: base64urlBytes(64),
});

export const createInvitationRequest = z.strictObject({
  role: roleSchema.default("member"),
  /** Between 5 minutes and 30 days; 7 days when left out. */
  expiresInSeconds: z
    .number()
    .int()
    .min(300)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
});

export const uploadKeyPackagesRequest = z.strictObject({
  oneTime: z.array(base64urlBytes(1, MAX_KEY_PACKAGE_BYTES)).max(MAX_KEY_PACKAGES_PER_UPLOAD).default([]),
  lastResort: base64urlBytes(1, MAX_KEY_PACKAGE_BYTES).optional(),
});

export const accountIdParam = z.strictObject({ accountId: id });
export const blobIdParam = z.strictObject({ blobId: base64urlBytes(32) });

export type RedeemInvitationRequest = z.infer<typeof redeemInvitationRequest>;
export type LoginRequest = z.infer<typeof loginRequest>;
export type CreateInvitationRequest = z.infer<typeof createInvitationRequest>;
export type UploadKeyPackagesRequest = z.infer<typeof uploadKeyPackagesRequest>;

/** The exact bytes a device signs to log in; the domain label keeps the signature from meaning anything else. */
export function loginSignedBytes(deviceId: Uint8Array, challenge: Uint8Array): Uint8Array {
  const label = Uint8Array.from("bote-login-v1\0", (c) => c.charCodeAt(0));
  const out = new Uint8Array(label.length + deviceId.length + challenge.length);
  out.set(label, 0);
  out.set(deviceId, label.length);
  out.set(challenge, label.length + deviceId.length);
  return out;
}

// Responses: plain JSON with base64url strings.

export interface MailboxAddress {
  mailboxId: string;
  capability: string;
}

export interface OrganisationInfo {
  id: string;
  name: string;
}

export interface RedeemInvitationResponse {
  accountId: string;
  deviceId: string;
  role: Role;
  organisation: OrganisationInfo;
  mailbox: MailboxAddress;
}

export interface LoginChallengeResponse {
  challenge: string;
  expiresAt: string;
}

export interface LoginResponse {
  sessionToken: string;
  expiresAt: string;
}

export interface MeResponse {
  accountId: string;
  deviceId: string;
  displayName: string;
  role: Role;
  organisation: OrganisationInfo;
  /** The current mailbox first; a retired one that still drains after it. */
  mailboxes: MailboxAddress[];
  keyPackages: KeyPackageStock;
}

export interface KeyPackageStock {
  oneTime: number;
  lastResort: boolean;
  low: boolean;
}

export interface CreateInvitationResponse {
  invitationId: string;
  token: string;
  url: string;
  role: Role;
  expiresAt: string;
}

export interface Member {
  accountId: string;
  displayName: string;
  role: Role;
  devices: { deviceId: string; publicKey: string }[];
}

export interface MembersResponse {
  members: Member[];
}

export interface DeviceKeyPackage extends MailboxAddress {
  deviceId: string;
  keyPackage: string;
  lastResort: boolean;
}

export interface FetchKeyPackagesResponse {
  devices: DeviceKeyPackage[];
  /** Devices of the account that had no key package at all. */
  unavailable: string[];
}

export interface RotateMailboxResponse {
  mailbox: MailboxAddress;
}

export interface BlobUploadResponse {
  blobId: string;
  size: number;
  expiresAt: string;
}

export interface HealthResponse {
  status: "ok";
  protocolVersion: number;
}

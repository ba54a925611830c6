/**
 * The parse gate of the HTTP API: the schemas every request body, query
 * and path parameter passes on the server. Kept apart from the response
 * shapes and shared limits (api.ts, contactPointApi.ts, privacyApi.ts,
 * push.ts) so that clients, which send these bodies but never parse them,
 * do not bundle zod (the package is free of side effects, so a bundler
 * leaves out a module nothing imports from).
 */
import { z } from "zod";
import { decodeBase64url } from "./base64url.js";
import { isCanonicalDisplayName } from "./statements/statements.js";
import { ID_BYTES, MAX_ACKS_PER_FRAME, MAX_KEY_PACKAGE_BYTES, MAX_KEY_PACKAGES_PER_UPLOAD } from "./limits.js";
import { CONTACT_POINT_SLUG } from "./statements/statements.js";
import { MAX_PROOF_OF_WORK_NONCE_BYTES, PROOF_OF_WORK_CHALLENGE_BYTES } from "./contactPointApi.js";
import { PRIVACY_DOCUMENTS } from "./privacyApi.js";
import { MAX_ENTRIES_PER_FETCH, MAX_PUSH_ENDPOINT_CHARS } from "./push.js";
import {
  DEVICE_LINK_CODE_LENGTH,
  LANGUAGES,
  MAX_CERTIFICATE_BYTES,
  MAX_DEVICE_LINK_SEALED_BYTES,
  MAX_INVITATION_BATCH,
  MAX_STATEMENT_BYTES,
  ROLES,
} from "./api.js";

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
export const roleSchema = z.enum(ROLES);

const certificate = base64urlBytes(1, MAX_CERTIFICATE_BYTES);

export const redeemInvitationRequest = z.strictObject({
  token: z.string().min(16).max(128),
  /** The account id the invitation names; the first admin's device picks its own. */
  accountId: id,
  /** Ed25519 public key of the new device (its login and MLS signature key), 32 bytes. */
  publicKey: base64urlBytes(32),
  /** encodeAccountCertificate: provisional (by the invitation key), or org-signed by the first admin. */
  accountCertificate: certificate,
  /** encodeDeviceCertificate: the account key certifies the device key. */
  deviceCertificate: certificate,
  /** Only when redeeming the first admin invitation: the organisation key the new device made. */
  organisationKey: base64urlBytes(32).optional(),
});

/** Whether an invitation can still be redeemed, asked before the joining device makes any key. */
export const checkInvitationRequest = z.strictObject({ token: z.string().min(16).max(128) });

export const loginChallengeRequest = z.strictObject({ deviceId: id });

export const loginRequest = z.strictObject({
  deviceId: id,
  challenge: base64urlBytes(32),
  /** Ed25519 signature over loginSignedBytes(deviceId, challenge). */
  signature: base64urlBytes(64),
});

/** An invitation is made by an admin device: the org-signed certificate names account, name, role and expiry. */
export const createInvitationRequest = z.strictObject({
  /** encodeInvitationCertificate, at most 30 days from now, by the organisation's current key. */
  certificate,
});

/**
 * A batch of invitations, all made or none: each an invitation certificate
 * and, optionally, the directory entry (encodeDirectoryEntry) for the same account.
 */
export const createInvitationBatchRequest = z.strictObject({
  invitations: z
    .array(
      z.strictObject({
        certificate,
        directoryEntry: base64urlBytes(1, MAX_CERTIFICATE_BYTES).optional(),
      }),
    )
    .min(1)
    .max(MAX_INVITATION_BATCH),
});

/** Org-signed statements for the organisation's log (encodeOrganisationStatement each), applied in order. */
export const postStatementsRequest = z.strictObject({
  statements: z.array(base64urlBytes(1, MAX_STATEMENT_BYTES)).min(1).max(1000),
});

export const uploadKeyPackagesRequest = z.strictObject({
  oneTime: z.array(base64urlBytes(1, MAX_KEY_PACKAGE_BYTES)).max(MAX_KEY_PACKAGES_PER_UPLOAD).default([]),
  lastResort: base64urlBytes(1, MAX_KEY_PACKAGE_BYTES).optional(),
});

export const accountIdParam = z.strictObject({ accountId: id });
export const blobIdParam = z.strictObject({ blobId: base64urlBytes(32) });

export type RedeemInvitationRequest = z.infer<typeof redeemInvitationRequest>;
export type CheckInvitationRequest = z.infer<typeof checkInvitationRequest>;
export type LoginRequest = z.infer<typeof loginRequest>;
export type CreateInvitationRequest = z.infer<typeof createInvitationRequest>;
export type CreateInvitationBatchRequest = z.infer<typeof createInvitationBatchRequest>;
export type UploadKeyPackagesRequest = z.infer<typeof uploadKeyPackagesRequest>;
export type PostStatementsRequest = z.infer<typeof postStatementsRequest>;

/** What the setup wizard sets (POST /v1/organisation/settings, admins only). */
export const organisationSettingsRequest = z.strictObject({
  name: z.string().max(256).refine(isCanonicalDisplayName, "not a canonical name"),
  language: z.enum(LANGUAGES),
});
export type OrganisationSettingsRequest = z.infer<typeof organisationSettingsRequest>;

/** Device A, logged in: opens a link with the commitment to its ephemeral key. */
export const createDeviceLinkRequest = z.strictObject({ commitment: base64urlBytes(32) });

/**
 * Device B, not logged in: takes the link with the code and sends its device
 * key. No ephemeral key yet: B sends that only once it holds A's commitment.
 */
export const claimDeviceLinkRequest = z.strictObject({
  /** As typed: dashes, spaces and look-alikes are normalised before hashing. */
  code: z.string().min(DEVICE_LINK_CODE_LENGTH).max(32),
  publicKey: base64urlBytes(32),
});

/** Device B, after the claim answered with A's commitment: sends its ephemeral key. */
export const keyDeviceLinkRequest = z.strictObject({
  linkId: id,
  claimToken: base64urlBytes(32),
  ephemeralKey: base64urlBytes(32),
});

export const revealDeviceLinkRequest = z.strictObject({ ephemeralKey: base64urlBytes(32) });

export const completeDeviceLinkRequest = z.strictObject({
  /** encodeDeviceCertificate: the account key certifies the claimed device key. */
  deviceCertificate: certificate,
  /** Opaque to the server: the profile package A encrypted for B. */
  sealed: base64urlBytes(1, MAX_DEVICE_LINK_SEALED_BYTES),
});

export const deviceLinkStatusRequest = z.strictObject({ linkId: id, claimToken: base64urlBytes(32) });

export const deviceLinkIdParam = z.strictObject({ linkId: id });

export type CreateDeviceLinkRequest = z.infer<typeof createDeviceLinkRequest>;
export type ClaimDeviceLinkRequest = z.infer<typeof claimDeviceLinkRequest>;
export type KeyDeviceLinkRequest = z.infer<typeof keyDeviceLinkRequest>;
export type RevealDeviceLinkRequest = z.infer<typeof revealDeviceLinkRequest>;
export type CompleteDeviceLinkRequest = z.infer<typeof completeDeviceLinkRequest>;
export type DeviceLinkStatusRequest = z.infer<typeof deviceLinkStatusRequest>;

// Contact points (docs/PROTOCOL.md §18).

export const contactPointSlugParam = z.strictObject({ slug: z.string().max(40).regex(CONTACT_POINT_SLUG) });

export const createGuestRequest = z.strictObject({
  /** Picked at random by the customer's browser, 16 bytes. */
  accountId: base64urlBytes(ID_BYTES),
  /** Ed25519 public key of the guest's one device, 32 bytes. */
  publicKey: base64urlBytes(32),
  /** encodeAccountCertificate with issuer guest (checkGuestCertificate), signed by the account key itself. */
  accountCertificate: base64urlBytes(1, MAX_CERTIFICATE_BYTES),
  /** encodeDeviceCertificate: the guest's account key certifies publicKey. */
  deviceCertificate: base64urlBytes(1, MAX_CERTIFICATE_BYTES),
  /** Required while the contact point page named a proofOfWork. */
  proof: z
    .strictObject({
      challenge: base64urlBytes(PROOF_OF_WORK_CHALLENGE_BYTES),
      nonce: base64urlBytes(1, MAX_PROOF_OF_WORK_NONCE_BYTES),
    })
    .optional(),
});

export type CreateGuestRequest = z.infer<typeof createGuestRequest>;

// Data protection (docs/PROTOCOL.md §22).

export const privacyDocumentParam = z.strictObject({ document: z.enum(PRIVACY_DOCUMENTS) });
export const privacyDocumentQuery = z.strictObject({ lang: z.enum(["de", "en"]).optional() });

// Web Push and the HTTP way to the mailbox.

export const pushSubscriptionRequest = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/ }).max(MAX_PUSH_ENDPOINT_CHARS),
  keys: z.strictObject({
    /** The browser's P-256 public key, uncompressed (RFC 8291 §3.1). */
    p256dh: base64urlBytes(65),
    /** The authentication secret (RFC 8291 §3.2). */
    auth: base64urlBytes(16),
  }),
});

export const fetchEntriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_ENTRIES_PER_FETCH).default(64),
});

export const ackEntriesRequest = z.strictObject({
  entryIds: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_ACKS_PER_FRAME),
});

export type PushSubscriptionRequest = z.infer<typeof pushSubscriptionRequest>;
export type AckEntriesRequest = z.infer<typeof ackEntriesRequest>;

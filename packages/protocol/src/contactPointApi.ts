/**
 * The HTTP side of contact points (docs/PROTOCOL.md §18): the public page
 * data, the guest account a customer's browser makes, and the key packages
 * of the staff it writes to.
 */
import type { FetchKeyPackagesResponse, MailboxAddress } from "./api.js";
import { ID_BYTES } from "./limits.js";

/** Bytes of a proof-of-work challenge: version, expiry, contact point id, bits, MAC. */
export const PROOF_OF_WORK_CHALLENGE_BYTES = 1 + 8 + ID_BYTES + 1 + 16;
/** A nonce is up to this many bytes; 8 are plenty. */
export const MAX_PROOF_OF_WORK_NONCE_BYTES = 32;

/** What the server caps for one guest; the page shows them before the customer attaches anything. */
export interface GuestLimits {
  /** Blobs one guest account may upload over its life. */
  blobs: number;
  /** Bytes of all its blobs together. */
  blobBytes: number;
  /** Largest single blob. */
  blobMaxBytes: number;
  /** Fetches of the staff's key packages per guest. */
  keyPackageFetches: number;
  /** Days after its last login a guest account is deleted. */
  idleDays: number;
}

/** Solve: find nonce with SHA-256(challenge ‖ publicKey ‖ nonce) starting with `bits` zero bits. */
export interface ProofOfWorkChallenge {
  challenge: string;
  bits: number;
  expiresAt: string;
}

export interface ContactPointResponse {
  /** encodeContactPoint, base64url: the client checks it with checkContactPoint under organisationKey. */
  contactPoint: string;
  organisation: { id: string; name: string };
  /** The organisation's current key, base64url: what the customer's device anchors in. */
  organisationKey: string;
  limits: GuestLimits;
  /** Present when the next guest must bring a proof of work. */
  proofOfWork?: ProofOfWorkChallenge;
}

export interface CreateGuestResponse {
  accountId: string;
  deviceId: string;
  mailbox: MailboxAddress;
}

export interface ContactPointKeyPackagesResponse {
  /** One entry per staff account of the current statement that is still a member, in the statement's order. */
  accounts: (FetchKeyPackagesResponse & { accountId: string })[];
}

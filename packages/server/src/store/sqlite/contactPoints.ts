/**
 * Contact points and their guests in SQLite (docs/PROTOCOL.md §18). A guest
 * is an accounts row plus a guest_accounts row; the latter holds the contact
 * point, the last login and the guest's counters, nothing about staff.
 */
import type { Bytes, ContactPointRecord, CreateGuest, CreateGuestResult } from "../ServerStore.js";
import { randomSeqStart } from "../bytes.js";
import type { ContactPointRow, Statements } from "./statements.js";

export function contactPointOf(row: ContactPointRow): ContactPointRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    slug: row.slug,
    open: row.open === 1,
    issuedAt: row.issued_at,
    contactPoint: row.statement,
  };
}

/** Runs inside the store's write transaction. */
export function insertGuest(s: Statements, r: CreateGuest): CreateGuestResult {
  const contactPoint = s.contactPointById.get(r.contactPointId);
  if (contactPoint === undefined || contactPoint.open !== 1) return { ok: false, code: "contact_point_closed" };
  const current = s.getOrganisationKey.get(contactPoint.org_id)?.organisation_key ?? null;
  if (current === null || !current.equals(r.organisationKey)) return { ok: false, code: "organisation_key_changed" };
  if (s.getAccount.get(r.accountId) !== undefined) return { ok: false, code: "account_taken" };
  if (s.publicKeyTaken.get(r.publicKey, r.publicKey) !== undefined) return { ok: false, code: "device_key_taken" };
  s.insertAccount.run(
    r.accountId,
    contactPoint.org_id,
    r.displayName,
    "member",
    r.now,
    r.accountKey,
    r.accountCertificate,
    r.certificateIssuedAt,
  );
  s.insertGuest.run(r.accountId, r.contactPointId, r.now);
  s.insertDevice.run(r.deviceId, r.accountId, r.publicKey, r.deviceCertificate, r.now);
  s.insertMailbox.run(r.mailboxId, r.deviceId, randomSeqStart());
  return { ok: true };
}

export function reserveGuestBlob(s: Statements, accountId: Bytes, maxBlobs: number, maxBytes: number) {
  return s.reserveGuestBlob.get(accountId, maxBlobs, maxBytes)?.blob_bytes;
}

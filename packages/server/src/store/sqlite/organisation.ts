/**
 * The organisation's trust state in SQLite: the signed log and the state
 * changes of verified statements. Runs inside the store's write
 * transaction; a change whose state does not hold throws Rollback, which
 * undoes the whole list.
 */
import type { ApplyStatementsResult, Bytes, StatementChange } from "../ServerStore.js";
import type { Statements } from "./statements.js";

/** Thrown inside a write transaction to roll it back and still return a result. */
export class Rollback<T> extends Error {
  constructor(readonly result: T) {
    super("rollback");
  }
}

export function appendStatement(s: Statements, orgId: Bytes, statement: Bytes, now: number): number {
  const seq = s.nextLogSeq.get(orgId)?.seq ?? 1;
  s.insertLog.run(orgId, seq, statement, now);
  return seq;
}

/** Throws Rollback at the first change whose state does not hold, which undoes the whole transaction. */
export function applyChanges(
  s: Statements,
  orgId: Bytes,
  organisationKey: Bytes,
  changes: StatementChange[],
  now: number,
): ApplyStatementsResult {
  const current = s.getOrganisationKey.get(orgId)?.organisation_key ?? null;
  if (current === null || !current.equals(organisationKey)) throw new Rollback({ ok: false, index: 0 });
  const revokedDevices: Bytes[] = [];
  let seq = 0;
  changes.forEach((change, index) => {
    const fail = () => new Rollback<ApplyStatementsResult>({ ok: false, index });
    switch (change.kind) {
      case "account": {
        const account = s.getAccount.get(change.accountId);
        if (
          account === undefined ||
          !account.org_id.equals(orgId) ||
          account.deactivated_at !== null ||
          // An org-signed certificate never turns a customer's guest account into a member.
          account.guest_of !== null ||
          !account.account_key.equals(change.accountKey) ||
          change.issuedAt < account.certificate_issued_at
        ) {
          throw fail();
        }
        s.updateAccountCertificate.run(
          change.certificate,
          change.issuedAt,
          change.role,
          change.displayName,
          change.accountId,
        );
        break;
      }
      case "revokeAccount": {
        const account = s.getAccount.get(change.accountId);
        if (account === undefined || !account.org_id.equals(orgId) || account.deactivated_at !== null) throw fail();
        s.deactivateAccount.run(now, change.accountId);
        for (const device of s.devicesOfAccountKeys.all(change.accountId)) {
          deleteDevice(s, device.id, device.public_key, change.accountId, now);
          revokedDevices.push(device.id);
        }
        break;
      }
      case "revokeDevice": {
        const account = s.getAccount.get(change.accountId);
        const device = s.deviceOfAccountByKey.get(change.accountId, change.deviceKey);
        if (account === undefined || !account.org_id.equals(orgId) || device === undefined) throw fail();
        deleteDevice(s, device.id, device.public_key, change.accountId, now);
        revokedDevices.push(device.id);
        break;
      }
      case "revokeInvitation": {
        const invitation = s.invitationByKey.get(change.invitationKey);
        if (
          invitation === undefined ||
          !invitation.org_id.equals(orgId) ||
          invitation.redeemed_at !== null ||
          invitation.revoked_at !== null
        ) {
          throw fail();
        }
        s.markInvitationRevoked.run(now, invitation.id);
        break;
      }
      case "rotate":
        s.replaceOrganisationKey.run(change.nextKey, orgId);
        break;
      case "contactPoint":
        applyContactPoint(s, orgId, change, index);
        break;
      case "directoryEntry": {
        // For a member, or for someone invited and not yet joined; never a guest or a former member.
        const account = s.getAccount.get(change.accountId);
        const holds =
          account === undefined
            ? s.invitationNamesAccount.get(change.accountId, orgId) !== undefined
            : account.org_id.equals(orgId) && account.deactivated_at === null && account.guest_of === null;
        if (!holds) throw fail();
        break;
      }
      case "policy": {
        // The newest policy wins; an older one arriving late changes nothing and is refused.
        const stored = s.getPolicy.get(orgId)?.policy_issued_at ?? null;
        if (stored !== null && change.issuedAt < stored) throw fail();
        s.setPolicy.run(change.issuedAt, change.maxAttachmentBytes, change.externalChats ? 1 : 0, orgId);
        break;
      }
      default: {
        const unknown: never = change;
        throw new RangeError(`unknown change ${String(unknown)}`);
      }
    }
    seq = appendStatement(s, orgId, change.statement, now);
  });
  return { ok: true, seq, revokedDevices };
}

/**
 * The newest statement of a contact point replaces the one stored: an older
 * one (by issuedAt) is refused, one of the same time wins by log order. The
 * slug is unique on the server; every staff account must be a member of the
 * organisation that is not revoked.
 */
function applyContactPoint(
  s: Statements,
  orgId: Bytes,
  change: Extract<StatementChange, { kind: "contactPoint" }>,
  index: number,
): void {
  const existing = s.contactPointById.get(change.contactPointId);
  if (existing !== undefined && (!existing.org_id.equals(orgId) || change.issuedAt < existing.issued_at)) {
    throw new Rollback<ApplyStatementsResult>({ ok: false, index });
  }
  const holder = s.contactPointBySlug.get(change.slug);
  if (holder !== undefined && !holder.id.equals(change.contactPointId)) {
    throw new Rollback<ApplyStatementsResult>({ ok: false, index, code: "contact_point_slug_taken" });
  }
  change.staff.forEach((accountId, j) => {
    const account = s.getAccount.get(accountId);
    if (
      account === undefined ||
      !account.org_id.equals(orgId) ||
      account.deactivated_at !== null ||
      account.guest_of !== null
    ) {
      throw new Rollback<ApplyStatementsResult>({ ok: false, index, path: `staff.${j}` });
    }
  });
  s.upsertContactPoint.run(
    change.contactPointId,
    orgId,
    change.slug,
    change.open ? 1 : 0,
    change.issuedAt,
    change.contactPoint,
  );
}

/** A revoked device leaves a tombstone; its mailboxes and their entries go by cascade. */
function deleteDevice(s: Statements, deviceId: Buffer, publicKey: Buffer, accountId: Bytes, now: number): void {
  s.insertTombstone.run(deviceId, publicKey, now, accountId);
  s.deleteDevice.run(deviceId);
}

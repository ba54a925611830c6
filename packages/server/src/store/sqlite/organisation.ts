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
          deleteDevice(s, device.id, device.public_key, now);
          revokedDevices.push(device.id);
        }
        break;
      }
      case "revokeDevice": {
        const account = s.getAccount.get(change.accountId);
        const device = s.deviceOfAccountByKey.get(change.accountId, change.deviceKey);
        if (account === undefined || !account.org_id.equals(orgId) || device === undefined) throw fail();
        deleteDevice(s, device.id, device.public_key, now);
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
      default: {
        const unknown: never = change;
        throw new RangeError(`unknown change ${String(unknown)}`);
      }
    }
    seq = appendStatement(s, orgId, change.statement, now);
  });
  return { ok: true, seq, revokedDevices };
}

/** A revoked device leaves a tombstone; its mailboxes and their entries go by cascade. */
function deleteDevice(s: Statements, deviceId: Buffer, publicKey: Buffer, now: number): void {
  s.insertTombstone.run(deviceId, publicKey, now);
  s.deleteDevice.run(deviceId);
}

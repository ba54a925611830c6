/**
 * Erasure and the append-only log (docs/PROTOCOL.md §22). A statement about
 * the erased person (their account or invitation certificate, a revocation
 * of them or their devices, their directory entry, an older contact point
 * that listed them) is
 * replaced by a tombstone: kind byte 0 and the SHA-256 of the statement.
 * Clients skip what does not decode, so their chains keep verifying; a
 * device that kept the statement can still match it to its hash. Statements
 * the person only issued (as an admin) stay: the audit log keeps who acted,
 * as a random account id whose name is gone.
 */
import { decodeContactPoint, decodeOrganisationStatement, type OrganisationStatement } from "@bote/protocol";
import type { ErasureJudge } from "../store/ServerStore.js";
import { sha256 } from "../crypto.js";

/** The kind byte of a tombstone; no statement kind is 0. */
export const TOMBSTONE_KIND = 0;

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function isAbout(statement: OrganisationStatement, accountId: Uint8Array): boolean {
  switch (statement.kind) {
    case "account":
    case "invitation":
      return same(statement.certificate.accountId, accountId);
    case "revocation":
      return (
        statement.revocation.target.kind !== "invitation" && same(statement.revocation.target.accountId, accountId)
      );
    case "contactPoint":
      return statement.contactPoint.staff.some((id) => same(id, accountId));
    case "directoryEntry":
      return same(statement.entry.accountId, accountId);
    case "rotation":
    case "policy":
      return false;
    default: {
      const unknown: never = statement;
      throw new RangeError(`unknown statement ${String(unknown)}`);
    }
  }
}

/** Decides, for the store, which bytes that name the account are about it (docs/PROTOCOL.md §22). */
export function erasureJudge(accountId: Uint8Array): ErasureJudge {
  return {
    tombstone(statement) {
      const decoded = decodeOrganisationStatement(statement);
      if (!decoded.ok || !isAbout(decoded.value, accountId)) return undefined;
      const out = new Uint8Array(33);
      out[0] = TOMBSTONE_KIND;
      out.set(sha256(statement), 1);
      return out;
    },
    listsAsStaff(contactPoint) {
      const decoded = decodeContactPoint(contactPoint);
      // A contact point the server cannot read blocks the erasure rather than keeping a name silently.
      return !decoded.ok || decoded.value.staff.some((id) => same(id, accountId));
    },
  };
}

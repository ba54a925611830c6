/**
 * Turns the statements of POST /v1/organisation/statements into state
 * changes, checking every signature against the organisation key current at
 * its position: a rotation early in the list moves the key for the rest.
 * Pure: the store then checks the state each change needs.
 */
import {
  checkAccountCertificate,
  checkContactPoint,
  checkDirectoryEntry,
  encodeContactPoint,
  checkKeyRotation,
  checkPolicy,
  checkRevocation,
  decodeOrganisationStatement,
  encodeAccountCertificate,
  encodeOrganisationStatement,
  missingCase,
  type StatementFault,
} from "@bote/protocol";
import type { StatementChange } from "../store/ServerStore.js";
import { verifyEd25519 } from "../crypto.js";

export type StatementChanges =
  | { ok: true; changes: StatementChange[] }
  | { ok: false; index: number; fault: StatementFault | "malformed" | "not_allowed" };

export function statementChanges(
  statements: readonly Uint8Array[],
  organisationKey: Uint8Array,
  nowSeconds: number,
): StatementChanges {
  let key = organisationKey;
  const changes: StatementChange[] = [];
  for (const [index, bytes] of statements.entries()) {
    const decoded = decodeOrganisationStatement(bytes);
    if (!decoded.ok) return { ok: false, index, fault: "malformed" };
    const s = decoded.value;
    // Stored as re-encoded, so the log holds the canonical bytes the signatures cover.
    const statement = encodeOrganisationStatement(s);
    let fault: StatementFault | "not_allowed" | undefined;
    switch (s.kind) {
      case "account": {
        const c = s.certificate;
        // A provisional certificate is only ever accepted with its invitation's redeem.
        fault =
          c.issuer.kind === "organisation" ? checkAccountCertificate(c, key, nowSeconds, verifyEd25519) : "not_allowed";
        if (fault === undefined) {
          changes.push({
            kind: "account",
            accountId: c.accountId,
            accountKey: c.accountKey,
            role: c.role,
            displayName: c.displayName,
            certificate: encodeAccountCertificate(c),
            issuedAt: c.issuedAtSeconds,
            statement,
          });
        }
        break;
      }
      case "revocation": {
        const r = s.revocation;
        fault = checkRevocation(r, key, verifyEd25519);
        if (fault !== undefined) break;
        const t = r.target;
        switch (t.kind) {
          case "account":
            changes.push({ kind: "revokeAccount", accountId: t.accountId, statement });
            break;
          case "device":
            changes.push({ kind: "revokeDevice", accountId: t.accountId, deviceKey: t.deviceKey, statement });
            break;
          case "invitation":
            changes.push({ kind: "revokeInvitation", invitationKey: t.invitationKey, statement });
            break;
          default:
            return missingCase(t);
        }
        break;
      }
      case "rotation":
        fault = checkKeyRotation(s.rotation, key, verifyEd25519);
        if (fault === undefined) {
          changes.push({ kind: "rotate", nextKey: s.rotation.nextKey, statement });
          key = s.rotation.nextKey;
        }
        break;
      case "invitation":
        // Only through POST /v1/invitations, which also makes the token.
        fault = "not_allowed";
        break;
      case "contactPoint": {
        const c = s.contactPoint;
        fault = checkContactPoint(c, key, verifyEd25519);
        if (fault === undefined) {
          changes.push({
            kind: "contactPoint",
            contactPointId: c.contactPointId,
            slug: c.slug,
            open: c.open,
            staff: [...c.staff],
            issuedAt: c.issuedAtSeconds,
            contactPoint: encodeContactPoint(c),
            statement,
          });
        }
        break;
      }
      case "directoryEntry":
        fault = checkDirectoryEntry(s.entry, key, verifyEd25519);
        if (fault === undefined) changes.push({ kind: "directoryEntry", accountId: s.entry.accountId, statement });
        break;
      case "policy":
        fault = checkPolicy(s.policy, key, verifyEd25519);
        if (fault === undefined) {
          const { maxAttachmentBytes, externalChats, issuedAtSeconds } = s.policy;
          changes.push({ kind: "policy", maxAttachmentBytes, externalChats, issuedAt: issuedAtSeconds, statement });
        }
        break;
      default:
        return missingCase(s);
    }
    if (fault !== undefined) return { ok: false, index, fault };
  }
  return { ok: true, changes };
}

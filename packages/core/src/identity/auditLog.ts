// The audit log of admin actions, derived from the organisation's signed log
// on the reader's device: who invited whom, who joined, who was promoted,
// demoted, renamed or deactivated, which device was revoked, when the
// organisation key was rotated, and what happened to contact points. It is a
// pure fold over the statements, so the server's copy is only a courier:
// every entry carries its statement's hash and signature, and says whether
// the signature verifies against a key of the organisation's chain. No entry
// holds content, and none says who wrote to whom: the log never knew.
import { sha256 } from "@noble/hashes/sha2.js";
import {
  checkAccountCertificate,
  checkContactPoint,
  checkDirectoryEntry,
  checkInvitationCertificate,
  checkKeyRotation,
  checkPolicy,
  checkRevocation,
  decodeOrganisationStatement,
  encodeBase64url,
  type OrganisationStatement,
  type PolicyRules,
  type StatementFault,
  type Role,
} from "@bote/protocol";
import { verifyEd25519 } from "./organisationKey.js";

/** One entry of the server's log as it arrived: its position, its bytes, and when the server appended it. */
export interface LoggedStatementBytes {
  readonly seq: number;
  readonly statement: Uint8Array;
  /** ISO time the server appended it: its word only, used where the statement signs no time of its own. */
  readonly at: string;
}

export type AuditAction =
  | "invited"
  | "invitation_revoked"
  | "joined"
  | "account_created"
  | "promoted"
  | "demoted"
  | "renamed"
  | "deactivated"
  | "device_revoked"
  | "key_rotated"
  | "contact_point_created"
  | "contact_point_changed"
  | "contact_point_closed"
  | "contact_point_reopened"
  | "policy_changed"
  | "department_changed";

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  "invited",
  "invitation_revoked",
  "joined",
  "account_created",
  "promoted",
  "demoted",
  "renamed",
  "deactivated",
  "device_revoked",
  "key_rotated",
  "contact_point_created",
  "contact_point_changed",
  "contact_point_closed",
  "contact_point_reopened",
  "policy_changed",
  "department_changed",
];

export interface AuditEntry {
  /** Position in the organisation's log. */
  readonly seq: number;
  /** ISO time: the statement's own signed time where it has one, else when the server logged it. */
  readonly at: string;
  readonly action: AuditAction;
  /** The account that signed the action (for "joined": the newcomer). Base64url. */
  readonly actorId: string;
  /** The actor's name as the organisation's certificates last named them; "" if never named. */
  readonly actorName: string;
  /** The account, invitation key, device's account, organisation key or contact point acted on. Base64url. */
  readonly subjectId: string;
  readonly subjectName: string;
  /** The role an invitation, a new account or a role change gives. */
  readonly role?: Role;
  /** A revoked device's key, the next organisation key, a contact point's slug, a former name. */
  readonly detail: string;
  /** Hex SHA-256 of the logged statement bytes, to find it in any copy of the log. */
  readonly statementHash: string;
  /** Base64url signature (for a rotation: the old key's) over the statement. */
  readonly signature: string;
  /** Whether the signature verifies against a key of the chain that `trustedKeys` start. */
  readonly verified: boolean;
}

const b64 = encodeBase64url;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function secondsOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

function isoOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * Every organisation key the chain reaches from the trusted ones, following
 * verified rotations forwards and backwards: a device that joined after a
 * rotation anchors on the newer key, and still reads the older entries.
 */
export function chainKeys(
  statements: readonly OrganisationStatement[],
  trustedKeys: readonly Uint8Array[],
): Set<string> {
  const known = new Set(trustedKeys.map(b64));
  const rotations = statements.flatMap((s) => (s.kind === "rotation" ? [s.rotation] : []));
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rotations) {
      const previous = b64(r.previousKey);
      const next = b64(r.nextKey);
      if (known.has(previous) === known.has(next)) continue;
      if (checkKeyRotation(r, r.previousKey, verifyEd25519) !== undefined) continue;
      known.add(previous).add(next);
      grew = true;
    }
  }
  return known;
}

interface Known {
  readonly role: Role;
  readonly name: string;
  readonly issuedAtSeconds: number;
}

type Draft = Omit<AuditEntry, "seq" | "actorName" | "statementHash" | "verified"> & { readonly ok: boolean };

interface OrganisationSigned {
  readonly organisationKey: Uint8Array;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  readonly signature: Uint8Array;
}

/** When, by whom, and whether it verifies: the part of an entry every statement the organisation key signs has. */
function signedByOrganisation<T extends OrganisationSigned>(
  s: T,
  check: (s: T, organisationKey: Uint8Array, verify: typeof verifyEd25519) => StatementFault | undefined,
  keys: ReadonlySet<string>,
): Pick<Draft, "at" | "actorId" | "signature" | "ok"> {
  return {
    at: isoOf(s.issuedAtSeconds),
    actorId: b64(s.issuedBy),
    signature: b64(s.signature),
    ok: keys.has(b64(s.organisationKey)) && check(s, s.organisationKey, verifyEd25519) === undefined,
  };
}

/** What one statement says as an admin action, given the accounts seen before it; undefined for a mere re-issue. */
function describe(
  statement: OrganisationStatement,
  at: string,
  keys: ReadonlySet<string>,
  accounts: Map<string, Known>,
  names: Map<string, string>,
  invitations: Map<string, string>,
  contactPoints: Map<string, boolean>,
): Draft | undefined {
  const atSeconds = secondsOf(at);
  switch (statement.kind) {
    case "invitation": {
      const c = statement.certificate;
      const subjectId = b64(c.accountId);
      names.set(subjectId, c.displayName);
      invitations.set(b64(c.invitationKey), subjectId);
      const ok =
        keys.has(b64(c.organisationKey)) &&
        checkInvitationCertificate(c, c.organisationKey, atSeconds, verifyEd25519) === undefined;
      return {
        at,
        action: "invited",
        actorId: b64(c.issuedBy),
        subjectId,
        subjectName: c.displayName,
        role: c.role,
        detail: isoOf(c.expiresAtSeconds),
        signature: b64(c.signature),
        ok,
      };
    }
    case "account": {
      const c = statement.certificate;
      const subjectId = b64(c.accountId);
      const ok =
        keys.has(b64(c.organisationKey)) &&
        checkAccountCertificate(c, c.organisationKey, atSeconds, verifyEd25519) === undefined;
      const before = accounts.get(subjectId);
      const signedAt = isoOf(c.issuedAtSeconds);
      const common = { at: signedAt, subjectId, subjectName: c.displayName, signature: b64(c.signature), ok };
      if (before !== undefined && c.issuedAtSeconds < before.issuedAtSeconds) return undefined;
      if (ok) accounts.set(subjectId, { role: c.role, name: c.displayName, issuedAtSeconds: c.issuedAtSeconds });
      if (ok) names.set(subjectId, c.displayName);
      const issuer = c.issuer;
      switch (issuer.kind) {
        case "invitation":
          return before === undefined
            ? { ...common, action: "joined", actorId: subjectId, role: c.role, detail: "" }
            : undefined;
        case "guest":
          return undefined;
        case "organisation": {
          const actorId = b64(issuer.issuedBy);
          if (before === undefined) return { ...common, action: "account_created", actorId, role: c.role, detail: "" };
          if (before.role !== c.role) {
            return {
              ...common,
              action: c.role === "admin" ? "promoted" : "demoted",
              actorId,
              role: c.role,
              detail: "",
            };
          }
          // A confirmation of a provisional certificate, or a re-issue after a rotation: no one's action.
          if (before.name === c.displayName) return undefined;
          return { ...common, action: "renamed", actorId, detail: before.name };
        }
        default: {
          const unknown: never = issuer;
          throw new RangeError(`unknown issuer ${String(unknown)}`);
        }
      }
    }
    case "revocation": {
      const r = statement.revocation;
      const common = signedByOrganisation(r, checkRevocation, keys);
      const target = r.target;
      switch (target.kind) {
        case "account": {
          const subjectId = b64(target.accountId);
          return { ...common, action: "deactivated", subjectId, subjectName: names.get(subjectId) ?? "", detail: "" };
        }
        case "device": {
          const subjectId = b64(target.accountId);
          const subjectName = names.get(subjectId) ?? "";
          return { ...common, action: "device_revoked", subjectId, subjectName, detail: b64(target.deviceKey) };
        }
        case "invitation": {
          const key = b64(target.invitationKey);
          const subjectId = invitations.get(key) ?? key;
          const subjectName = names.get(subjectId) ?? "";
          return { ...common, action: "invitation_revoked", subjectId, subjectName, detail: "" };
        }
        default: {
          const unknown: never = target;
          throw new RangeError(`unknown revocation target ${String(unknown)}`);
        }
      }
    }
    case "rotation": {
      const r = statement.rotation;
      const ok = keys.has(b64(r.previousKey)) && checkKeyRotation(r, r.previousKey, verifyEd25519) === undefined;
      return {
        at: isoOf(r.issuedAtSeconds),
        action: "key_rotated",
        actorId: b64(r.issuedBy),
        subjectId: b64(r.previousKey),
        subjectName: "",
        detail: b64(r.nextKey),
        signature: b64(r.previousSignature),
        ok,
      };
    }
    case "contactPoint": {
      const c = statement.contactPoint;
      const subjectId = b64(c.contactPointId);
      const wasOpen = contactPoints.get(subjectId);
      contactPoints.set(subjectId, c.open);
      const action =
        wasOpen === undefined
          ? "contact_point_created"
          : wasOpen && !c.open
            ? "contact_point_closed"
            : !wasOpen && c.open
              ? "contact_point_reopened"
              : "contact_point_changed";
      return {
        ...signedByOrganisation(c, checkContactPoint, keys),
        action,
        subjectId,
        subjectName: c.name,
        detail: c.slug,
      };
    }
    case "policy": {
      const p = statement.policy;
      return {
        ...signedByOrganisation(p, checkPolicy, keys),
        action: "policy_changed",
        subjectId: b64(p.organisationKey),
        subjectName: "",
        detail: policySummary(p),
      };
    }
    case "directoryEntry": {
      const d = statement.entry;
      const subjectId = b64(d.accountId);
      return {
        ...signedByOrganisation(d, checkDirectoryEntry, keys),
        action: "department_changed",
        subjectId,
        subjectName: names.get(subjectId) ?? "",
        detail: d.title === "" ? d.department : `${d.department} / ${d.title}`,
      };
    }
    default: {
      const unknown: never = statement;
      throw new RangeError(`unknown statement ${String(unknown)}`);
    }
  }
}

/**
 * The admin actions in the log, in log order. `trustedKeys` are the
 * organisation keys the reader trusts (its view's anchor and current key);
 * an entry whose signature does not verify against the chain from them is
 * kept, marked unverified, rather than hidden. Undecodable bytes are skipped.
 */
export function foldAuditLog(log: readonly LoggedStatementBytes[], trustedKeys: readonly Uint8Array[]): AuditEntry[] {
  const decoded = log.flatMap((entry) => {
    const statement = decodeOrganisationStatement(entry.statement);
    return statement.ok ? [{ entry, statement: statement.value }] : [];
  });
  const keys = chainKeys(
    decoded.map((d) => d.statement),
    trustedKeys,
  );
  const accounts = new Map<string, Known>();
  const names = new Map<string, string>();
  const invitations = new Map<string, string>();
  const contactPoints = new Map<string, boolean>();
  const drafts: { seq: number; hash: string; draft: Draft }[] = [];
  for (const { entry, statement } of decoded) {
    const draft = describe(statement, entry.at, keys, accounts, names, invitations, contactPoints);
    if (draft !== undefined) drafts.push({ seq: entry.seq, hash: hex(sha256(entry.statement)), draft });
  }
  // Names as the chain named them last: a renamed admin's earlier actions show the current name.
  return drafts.map(({ seq, hash, draft: { ok, ...rest } }) => ({
    seq,
    ...rest,
    actorName: names.get(rest.actorId) ?? "",
    statementHash: hash,
    verified: ok,
  }));
}

/** The rules of a policy as one line, the same in every language: what an export keeps of it. */
function policySummary(p: PolicyRules): string {
  const onOff = (b: boolean) => (b ? "on" : "off");
  return [
    `disappearing=${p.disappearingSeconds}s`,
    `maxAttachment=${p.maxAttachmentBytes}B`,
    `external=${onOff(p.externalChats)}`,
    `appLock=${onOff(p.appLockRequired)}`,
    `minPin=${p.minPinLength}`,
    `postQuantum=${onOff(p.postQuantum)}`,
    `wipe=${onOff(p.wipeOnDeactivation)}`,
    `language=${p.language}`,
  ].join(" ");
}

/**
 * The audit fold: each kind of signed statement becomes the admin action it
 * records, re-issues are no one's action, a forged or foreign signature is
 * shown as unverified, and the exports quote what a spreadsheet would
 * otherwise run.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  AUDIT_ACTIONS,
  auditCsv,
  auditJson,
  certifyAccount,
  certifyAccountByInvitation,
  createContactPointStatement,
  createDirectoryEntry,
  createInvitation,
  createPolicyStatement,
  createRevocation,
  createSigningKey,
  foldAuditLog,
  rotateOrganisationKey,
  type AuditEntry,
  type LoggedStatementBytes,
} from "@bote/core";
import {
  DEFAULT_POLICY_RULES,
  encodeBase64url,
  encodeOrganisationStatement,
  type OrganisationStatement,
} from "@bote/protocol";

const T0 = new Date("2026-03-02T09:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function logOf(statements: readonly OrganisationStatement[]): LoggedStatementBytes[] {
  return statements.map((s, i) => ({ seq: i + 1, statement: encodeOrganisationStatement(s), at: at(i).toISOString() }));
}

function summary(entries: readonly AuditEntry[]): string[] {
  return entries.map((e) => `${e.action} ${e.actorName} → ${e.subjectName}${e.role ? ` (${e.role})` : ""}`);
}

function organisation() {
  const org = createSigningKey();
  const annaId = randomBytes(16);
  const anna = certifyAccount(
    org,
    { accountId: annaId, accountKey: createSigningKey().publicKey, displayName: "Anna", role: "admin" },
    { issuedBy: annaId, now: at(0) },
  );
  return { org, annaId, anna };
}

describe("the audit fold", () => {
  it("turns every kind of statement into the action it records, and a re-issue into none", () => {
    const { org, annaId, anna } = organisation();
    const berndId = randomBytes(16);
    const invitation = createInvitation(
      org,
      { accountId: berndId, displayName: "Bernd", role: "member" },
      { expiresAt: at(60 * 24), issuedBy: annaId },
    );
    const berndKey = createSigningKey();
    const joined = certifyAccountByInvitation(invitation.certificate, invitation.signKey, berndKey.publicKey, at(2));
    const bernd = { accountId: berndId, accountKey: berndKey.publicKey, displayName: "Bernd" };
    const confirmed = certifyAccount(org, { ...bernd, role: "member" }, { issuedBy: annaId, now: at(3) });
    const promoted = certifyAccount(org, { ...bernd, role: "admin" }, { issuedBy: annaId, now: at(4) });
    const renamed = certifyAccount(
      org,
      { ...bernd, displayName: "Bernd Bau", role: "admin" },
      { issuedBy: annaId, now: at(5) },
    );
    const demoted = certifyAccount(
      org,
      { ...bernd, displayName: "Bernd Bau", role: "member" },
      { issuedBy: annaId, now: at(6) },
    );
    const device = createRevocation(
      org,
      { kind: "device", accountId: berndId, deviceKey: randomBytes(32) },
      { issuedBy: annaId, now: at(7) },
    );
    const doraId = randomBytes(16);
    const dora = createInvitation(
      org,
      { accountId: doraId, displayName: "Dora", role: "admin" },
      { expiresAt: at(60 * 24), issuedBy: annaId },
    );
    const withdrawn = createRevocation(
      org,
      { kind: "invitation", invitationKey: dora.certificate.invitationKey },
      { issuedBy: annaId, now: at(9) },
    );
    const fields = {
      contactPointId: randomBytes(16),
      slug: "anfragen",
      open: true,
      name: "Anfragen",
      staff: [berndId],
      greeting: "",
      openingHours: "",
      privacyText: "",
      requiredFields: [],
      retentionDays: 0,
    } as const;
    const opened = createContactPointStatement(org, fields, { issuedBy: annaId, now: at(10) });
    const changed = createContactPointStatement(
      org,
      { ...fields, name: "Anfragen 2" },
      { issuedBy: annaId, now: at(11) },
    );
    const closed = createContactPointStatement(org, { ...fields, open: false }, { issuedBy: annaId, now: at(12) });
    const reopened = createContactPointStatement(org, fields, { issuedBy: annaId, now: at(13) });
    const policy = createPolicyStatement(
      org,
      { ...DEFAULT_POLICY_RULES, appLockRequired: true },
      { issuedBy: annaId, now: at(13) },
    );
    const department = createDirectoryEntry(
      org,
      { accountId: berndId, department: "Vertrieb", title: "Bauleiter" },
      { issuedBy: annaId, now: at(13) },
    );
    const deactivated = createRevocation(
      org,
      { kind: "account", accountId: berndId },
      { issuedBy: annaId, now: at(14) },
    );
    const { next, rotation } = rotateOrganisationKey(org, { issuedBy: annaId, now: at(15) });
    const reissued = certifyAccount(
      next,
      { accountId: annaId, accountKey: anna.accountKey, displayName: "Anna", role: "admin" },
      { issuedBy: annaId, now: at(15) },
    );

    const entries = foldAuditLog(
      logOf([
        { kind: "account", certificate: anna },
        { kind: "invitation", certificate: invitation.certificate },
        { kind: "account", certificate: joined },
        { kind: "account", certificate: confirmed },
        { kind: "account", certificate: promoted },
        { kind: "account", certificate: renamed },
        { kind: "account", certificate: demoted },
        { kind: "revocation", revocation: device },
        { kind: "invitation", certificate: dora.certificate },
        { kind: "revocation", revocation: withdrawn },
        { kind: "contactPoint", contactPoint: opened },
        { kind: "contactPoint", contactPoint: changed },
        { kind: "contactPoint", contactPoint: closed },
        { kind: "contactPoint", contactPoint: reopened },
        { kind: "policy", policy },
        { kind: "directoryEntry", entry: department },
        { kind: "revocation", revocation: deactivated },
        { kind: "rotation", rotation },
        { kind: "account", certificate: reissued },
      ]),
      [org.publicKey],
    );
    assert.deepEqual(summary(entries), [
      "account_created Anna → Anna (admin)",
      "invited Anna → Bernd (member)",
      "joined Bernd Bau → Bernd (member)",
      "promoted Anna → Bernd (admin)",
      "renamed Anna → Bernd Bau",
      "demoted Anna → Bernd Bau (member)",
      "device_revoked Anna → Bernd Bau",
      "invited Anna → Dora (admin)",
      "invitation_revoked Anna → Dora",
      "contact_point_created Anna → Anfragen",
      "contact_point_changed Anna → Anfragen 2",
      "contact_point_closed Anna → Anfragen",
      "contact_point_reopened Anna → Anfragen",
      "policy_changed Anna → ",
      "department_changed Anna → Bernd Bau",
      "deactivated Anna → Bernd Bau",
      "key_rotated Anna → ",
    ]);
    assert.ok(entries.every((e) => e.verified));
    assert.equal(entries.find((e) => e.action === "renamed")?.detail, "Bernd");
    assert.match(entries.find((e) => e.action === "policy_changed")?.detail ?? "", /appLock=on/);
    assert.equal(entries.find((e) => e.action === "department_changed")?.detail, "Vertrieb / Bauleiter");
    assert.equal(entries.find((e) => e.action === "key_rotated")?.detail, encodeBase64url(next.publicKey));
    assert.equal(entries.find((e) => e.action === "invitation_revoked")?.subjectId, encodeBase64url(doraId));
    // Signed times where the statement has one; the server's time only for an invitation.
    assert.equal(entries.find((e) => e.action === "promoted")?.at, at(4).toISOString());
    assert.equal(entries[1]?.at, at(1).toISOString());
    const covered = new Set(entries.map((e) => e.action));
    assert.deepEqual(
      AUDIT_ACTIONS.filter((a) => !covered.has(a)),
      [],
      "every action is reachable",
    );
  });

  it("marks a statement signed by a key outside the chain as unverified, and follows rotations both ways", () => {
    const { org, annaId, anna } = organisation();
    const { next, rotation } = rotateOrganisationKey(org, { issuedBy: annaId, now: at(1) });
    const stranger = createSigningKey();
    const forged = createRevocation(stranger, { kind: "account", accountId: annaId }, { issuedBy: annaId, now: at(2) });
    const tampered = createRevocation(org, { kind: "account", accountId: annaId }, { issuedBy: annaId, now: at(3) });
    const log = logOf([
      { kind: "account", certificate: anna },
      { kind: "rotation", rotation },
      { kind: "revocation", revocation: forged },
      { kind: "revocation", revocation: { ...tampered, issuedAtSeconds: tampered.issuedAtSeconds + 60 } },
    ]);
    // A device that joined after the rotation trusts only the new key: the old entries still verify through it.
    const entries = foldAuditLog(log, [next.publicKey]);
    assert.deepEqual(
      entries.map((e) => [e.action, e.verified]),
      [
        ["account_created", true],
        ["key_rotated", true],
        ["deactivated", false],
        ["deactivated", false],
      ],
    );
    assert.deepEqual(
      foldAuditLog(log, [stranger.publicKey]).map((e) => e.verified),
      [false, false, true, false],
    );
  });

  it("skips undecodable bytes and hashes what was logged", () => {
    const { anna } = organisation();
    const good = encodeOrganisationStatement({ kind: "account", certificate: anna });
    const entries = foldAuditLog(
      [
        { seq: 1, statement: new Uint8Array([99, 1, 2]), at: T0.toISOString() },
        { seq: 2, statement: good, at: T0.toISOString() },
      ],
      [anna.organisationKey],
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.seq, 2);
    assert.match(entries[0].statementHash, /^[0-9a-f]{64}$/);
  });
});

describe("the audit exports", () => {
  const entry: AuditEntry = {
    seq: 7,
    at: T0.toISOString(),
    action: "invited",
    actorId: "QUJD",
    actorName: 'Anna "die Chefin", GmbH',
    subjectId: "REVG",
    subjectName: '=HYPERLINK("http://x")',
    role: "member",
    detail: "",
    statementHash: "ab".repeat(32),
    signature: "c2ln",
    verified: true,
  };

  it("writes RFC 4180 CSV and defuses spreadsheet formulas", () => {
    const csv = auditCsv([entry]);
    const [header, row, end] = csv.split("\r\n");
    assert.equal(
      header,
      "seq,at,action,actorId,actorName,subjectId,subjectName,role,detail,verified,statementHash,signature",
    );
    assert.equal(end, "");
    assert.ok(row?.includes(',"Anna ""die Chefin"", GmbH",'));
    assert.ok(row?.includes(`,"'=HYPERLINK(""http://x"")",`), row);
    assert.ok(row?.endsWith(`,true,${"ab".repeat(32)},c2ln`));
  });

  it("writes JSON that reads back to the same entries", () => {
    assert.deepEqual(JSON.parse(auditJson([entry])), { version: 1, entries: [entry] });
  });
});

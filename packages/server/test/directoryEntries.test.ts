/**
 * Departments in the directory and invitation batches, attacked over a real
 * server: a directory entry counts only org-signed and only from an admin
 * session, and a batch with one bad invitation stores none of them.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeBase64url,
  decodeOrganisationStatement,
  encodeBase64url,
  encodeDirectoryEntry,
  encodeInvitationCertificate,
  type CreateInvitationBatchResponse,
  type ErrorBody,
  type OrganisationLogResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, type HttpResult } from "./support/device.js";
import { directoryEntry, invitationCertificate, newKeyPair, randomAccountId } from "./support/orgKeys.js";
import { queryRows } from "./support/db.js";

function assertError(res: HttpResult, status: number, code: string, path?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
  if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
}

describeEachBackend("directory entries and invitation batches", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let member: TestDevice;

  before(async () => {
    s = await startTestServer(backend);
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    member = await TestDevice.join(s, await admin.invite("Bernd"));
    await member.login();
  });
  after(() => s.close());

  const entryFor = (accountId: Uint8Array, department: string, key = admin.organisation.key) =>
    directoryEntry(key, { accountId, department, issuedBy: admin.accountId });

  async function directoryStatements(): Promise<{ accountId: string; department: string }[]> {
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    return log.body.statements.flatMap((s) => {
      const d = decodeOrganisationStatement(decodeBase64url(s.statement)!);
      return d.ok && d.value.kind === "directoryEntry"
        ? [{ accountId: encodeBase64url(d.value.entry.accountId), department: d.value.entry.department }]
        : [];
    });
  }

  const invitationCount = async () => Number((await queryRows(s, "SELECT COUNT(*) AS n FROM invitations"))[0]!.n);

  function batchItem(name: string, department: string, accountId = randomAccountId()) {
    const certificate = invitationCertificate(admin.organisation.key, {
      invitationKey: newKeyPair().publicKey,
      accountId,
      role: "member",
      displayName: name,
      issuedBy: admin.accountId,
    });
    return {
      certificate: encodeBase64url(encodeInvitationCertificate(certificate)),
      directoryEntry: encodeBase64url(encodeDirectoryEntry(entryFor(accountId, department))),
    };
  }

  it("an admin sets a member's department; it is in the log for every colleague", async () => {
    const res = await admin.postStatements([{ kind: "directoryEntry", entry: entryFor(member.accountId, "Lager") }]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(await directoryStatements(), [
      { accountId: encodeBase64url(member.accountId), department: "Lager" },
    ]);
  });

  it("a member cannot post one, not even an entry the organisation key really signed", async () => {
    const signed = entryFor(member.accountId, "Geschäftsführung");
    assertError(await member.postStatements([{ kind: "directoryEntry", entry: signed }]), 403, "forbidden");
    assert.equal((await directoryStatements()).length, 1);
  });

  it("a forged entry (another key) is refused", async () => {
    const forged = entryFor(member.accountId, "Geschäftsführung", newKeyPair());
    assertError(
      await admin.postStatements([{ kind: "directoryEntry", entry: forged }]),
      400,
      "statement_invalid",
      "statements.0",
    );
  });

  it("an entry for an account the organisation does not know is refused", async () => {
    const res = await admin.postStatements([{ kind: "directoryEntry", entry: entryFor(randomAccountId(), "X") }]);
    assertError(res, 400, "statement_invalid", "statements.0");
    assert.equal((await directoryStatements()).length, 1);
  });

  it("a batch makes every invitation with its department in one go", async () => {
    const before = await invitationCount();
    const carla = randomAccountId();
    const items = [batchItem("Carla", "Büro", carla), batchItem("Dieter", "Montage"), batchItem("Emil", "")];
    const res = await admin.call<CreateInvitationBatchResponse>("POST", "/v1/invitations/batch", {
      invitations: items,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.invitations.length, 3);
    assert.equal(new Set(res.body.invitations.map((i) => i.token)).size, 3);
    assert.equal(await invitationCount(), before + 3);
    assert.deepEqual(
      (await directoryStatements()).slice(-3).map((d) => d.department),
      ["Büro", "Montage", ""],
    );
    // Invited, not joined yet: an admin may still move her.
    const moved = await admin.postStatements([{ kind: "directoryEntry", entry: entryFor(carla, "Einkauf") }]);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });

  it("a batch with one taken account id stores nothing and names the invitation", async () => {
    const before = await invitationCount();
    const logBefore = (await directoryStatements()).length;
    const items = [
      batchItem("Fritz", "Büro"),
      batchItem("Gerda", "Büro"),
      batchItem("Bernd 2", "Lager", member.accountId),
    ];
    const res = await admin.call("POST", "/v1/invitations/batch", { invitations: items });
    assertError(res, 400, "certificate_invalid", "invitations.2.certificate.accountId");
    assert.equal(await invitationCount(), before);
    assert.equal((await directoryStatements()).length, logBefore);
  });

  it("a batch with a forged department stores nothing", async () => {
    const before = await invitationCount();
    const forged = batchItem("Hanna", "Büro");
    const accountId = randomAccountId();
    const other = batchItem("Ida", "Büro", accountId);
    other.directoryEntry = encodeBase64url(encodeDirectoryEntry(entryFor(accountId, "Geschäftsführung", newKeyPair())));
    const res = await admin.call("POST", "/v1/invitations/batch", { invitations: [forged, other] });
    assertError(res, 400, "certificate_invalid", "invitations.1.directoryEntry");
    assert.equal(await invitationCount(), before);
  });

  it("a member cannot post a batch", async () => {
    const res = await member.call("POST", "/v1/invitations/batch", { invitations: [batchItem("Jan", "")] });
    assertError(res, 403, "forbidden");
  });
});

/**
 * Organisation policies over a real server (docs/PROTOCOL.md, "Policy"):
 * only an admin session may post one, only the organisation key's signature
 * counts, the newest wins, and the server enforces the one rule it can see,
 * the largest attachment, on members' blob uploads.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64url, maxAttachmentBlobBytes, type ErrorBody, type OrganisationLogResponse } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type HttpResult } from "./support/device.js";
import { newKeyPair, nowSeconds, policy } from "./support/orgKeys.js";

function assertError(res: HttpResult, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
}

describeEachBackend("policies", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let member: TestDevice;
  const upload = (device: TestDevice, bytes: number) =>
    http(s, "POST", "/v1/blobs", {
      token: device.token,
      raw: new Uint8Array(bytes),
      headers: { "content-type": "application/octet-stream" },
    });

  before(async () => {
    s = await startTestServer(backend);
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    member = await TestDevice.join(s, await admin.invite("Bernd"));
    await member.login();
  });
  after(async () => {
    await s.close();
  });

  it("takes a policy from an admin session, logs it as kind 6 and holds uploads to its largest attachment", async () => {
    // No policy yet: only the server's own limit.
    assert.equal((await upload(member, 50_000)).status, 201);
    const p = policy(admin.organisation.key, { maxAttachmentBytes: 20_000, issuedBy: admin.accountId });
    const res = await admin.postStatements([{ kind: "policy", policy: p }]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const log = await member.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    assert.equal(decodeBase64url(log.body.statements.at(-1)!.statement)![0], 6);
    // A file at the limit, encrypted, fits; one byte more of blob does not.
    const limit = maxAttachmentBlobBytes(20_000);
    assert.equal((await upload(member, limit)).status, 201);
    assertError(await upload(member, limit + 1), 413, "blob_over_policy");
    assertError(await upload(admin, 50_000), 413, "blob_over_policy");
    // Without a Content-Length (chunked), refused as soon as it passes the limit.
    const chunked = await fetch(`${s.url}/v1/blobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${member.token}`, "content-type": "application/octet-stream" },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(10_000));
          controller.close();
        },
      }),
      duplex: "half",
    });
    assertError({ status: chunked.status, body: await chunked.json() }, 413, "blob_over_policy");
  });

  it("refuses a validly signed policy from a member's session", async () => {
    const p = policy(admin.organisation.key, { maxAttachmentBytes: 1_000_000_000, issuedBy: member.accountId });
    assertError(await member.postStatements([{ kind: "policy", policy: p }]), 403, "forbidden");
    assertError(await upload(member, 50_000), 413, "blob_over_policy");
  });

  it("refuses a forged policy: another key, or a rule changed after signing", async () => {
    const foreign = policy(newKeyPair(), { maxAttachmentBytes: 1_000_000_000, issuedBy: admin.accountId });
    assertError(await admin.postStatements([{ kind: "policy", policy: foreign }]), 400, "statement_invalid");
    const signed = policy(admin.organisation.key, { maxAttachmentBytes: 30_000, issuedBy: admin.accountId });
    const tampered = { ...signed, maxAttachmentBytes: 1_000_000_000 };
    assertError(await admin.postStatements([{ kind: "policy", policy: tampered }]), 400, "statement_invalid");
    assertError(await upload(member, 50_000), 413, "blob_over_policy");
  });

  it("refuses a policy older than the one in force; a newer one replaces it", async () => {
    const older = policy(admin.organisation.key, {
      maxAttachmentBytes: 1_000_000,
      issuedBy: admin.accountId,
      issuedAtSeconds: nowSeconds() - 3600,
    });
    assertError(await admin.postStatements([{ kind: "policy", policy: older }]), 400, "statement_invalid");
    assertError(await upload(member, 50_000), 413, "blob_over_policy");
    const newer = policy(admin.organisation.key, {
      maxAttachmentBytes: 1_000_000,
      issuedBy: admin.accountId,
      issuedAtSeconds: nowSeconds() + 1,
    });
    assert.equal((await admin.postStatements([{ kind: "policy", policy: newer }])).status, 200);
    assert.equal((await upload(member, 50_000)).status, 201);
  });
});

/**
 * POST /v1/invitations/check: a joining page asks whether its link still
 * works before it asks the person for anything. It answers what a redeem
 * would, and changes nothing.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { ErrorBody, InvitationsResponse } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type HttpResult } from "./support/device.js";
import { nowSeconds, revocation } from "./support/orgKeys.js";

function assertError(res: HttpResult, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
}

describeEachBackend("invitation check", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let clockOffset = 0;
  const check = (token: string) => http(s, "POST", "/v1/invitations/check", { body: { token } });

  before(async () => {
    s = await startTestServer(backend, undefined, { now: () => Date.now() + clockOffset });
    // Before the first admin joins, the bootstrap invitation is open.
    assert.deepEqual((await check(s.adminInvitationToken)).body, { state: "open" });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
  });
  after(() => s.close());

  it("answers open for an open invitation, and checking it twice leaves it open and redeemable", async () => {
    const invite = await admin.invite("Berta");
    for (let i = 0; i < 2; i++) {
      const res = await check(invite.token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { state: "open" });
    }
    const listed = await admin.call<InvitationsResponse>("GET", "/v1/invitations");
    assert.equal(listed.body.invitations.find((i) => i.displayName === "Berta")?.state, "open");
    const berta = await TestDevice.join(s, invite);
    assert.ok(berta.accountId.length > 0);
    assertError(await check(invite.token), 409, "invitation_used");
  });

  it("answers a used, unknown, revoked or expired invitation as a redeem would", async () => {
    assertError(await check(s.adminInvitationToken), 409, "invitation_used");
    assertError(await check("x".repeat(43)), 404, "invitation_invalid");
    const revoked = await admin.invite("Jan");
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(
          admin.organisation.key,
          { kind: "invitation", invitationKey: revoked.certificate.invitationKey },
          admin.accountId,
        ),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assertError(await check(revoked.token), 404, "invitation_invalid");
    const expiring = await admin.invite("Hans", "member", { expiresAtSeconds: nowSeconds() + 60 });
    assert.equal((await check(expiring.token)).status, 200);
    clockOffset = 2 * 60_000;
    try {
      assertError(await check(expiring.token), 404, "invitation_invalid");
    } finally {
      clockOffset = 0;
    }
  });

  it("refuses a body that is not just a token", async () => {
    assertError(await http(s, "POST", "/v1/invitations/check", { body: { token: "short" } }), 400, "bad_request");
    const extra = { token: "x".repeat(43), accountId: "AAAA" };
    assertError(await http(s, "POST", "/v1/invitations/check", { body: extra }), 400, "bad_request");
  });
});

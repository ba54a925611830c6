/**
 * Attacks on joining, over a real server: every certificate of a redeem and
 * of an invitation is checked against the organisation's current key and
 * against what the invitation names, and a refused request stores nothing.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeBase64url,
  encodeInvitationCertificate,
  type ErrorBody,
  type InvitationsResponse,
  type MembersResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, redeemBody, type HttpResult, type Invite } from "./support/device.js";
import {
  deviceCertificate,
  invitationCertificate,
  newKeyPair,
  nowSeconds,
  organisationAccountCertificate,
  provisionalAccountCertificate,
  randomAccountId,
  revocation,
} from "./support/orgKeys.js";
import { countRows } from "./support/db.js";

function assertError(res: HttpResult, status: number, code: string, path?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
  if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
}

describeEachBackend("trust chain: joining", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let clockOffset = 0;

  before(async () => {
    s = await startTestServer(backend, undefined, { now: () => Date.now() + clockOffset });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
  });
  after(async () => {
    await s.close();
  });

  /** Redeems an invitation with certificates the test bends; defaults are an honest joiner's. */
  function redeemWith(
    invite: Invite,
    bend: {
      accountId?: Uint8Array;
      certificate?: Parameters<typeof provisionalAccountCertificate>[3];
      foreignDeviceCertificate?: boolean;
    } = {},
  ): Promise<HttpResult> {
    const accountKey = newKeyPair();
    const device = newKeyPair();
    const certificate = provisionalAccountCertificate(
      invite.certificate,
      invite.invitationKey,
      accountKey.publicKey,
      bend.certificate,
    );
    const signer = bend.foreignDeviceCertificate === true ? newKeyPair() : accountKey;
    const certified = deviceCertificate(certificate.accountId, signer, device.publicKey);
    return http(s, "POST", "/v1/invitations/redeem", {
      body: redeemBody({
        token: invite.token,
        accountId: bend.accountId ?? certificate.accountId,
        deviceKey: device.publicKey,
        accountCertificate: certificate,
        deviceCertificate:
          bend.foreignDeviceCertificate === true ? { ...certified, accountKey: signer.publicKey } : certified,
      }),
    });
  }

  it("refuses a provisional certificate for another account id, role or name than the invitation, storing nothing", async () => {
    const invite = await admin.invite("Bea", "member");
    const accounts = await countRows(s, "accounts");
    const other = randomAccountId();
    assertError(
      await redeemWith(invite, { accountId: other, certificate: { accountId: other } }),
      400,
      "certificate_invalid",
      "accountId",
    );
    assertError(await redeemWith(invite, { certificate: { role: "admin" } }), 400, "certificate_invalid");
    assertError(await redeemWith(invite, { certificate: { displayName: "Chefin" } }), 400, "certificate_invalid");
    // The body's account id alone differs from the certificate's.
    assertError(await redeemWith(invite, { accountId: other }), 400, "certificate_invalid", "accountId");
    assert.equal(await countRows(s, "accounts"), accounts);
    // The invitation was not spent by the refusals.
    const honest = await redeemWith(invite);
    assert.equal(honest.status, 201, JSON.stringify(honest.body));
    const members = await admin.call<MembersResponse>("GET", "/v1/members");
    const bea = members.body.members.find((m) => m.accountId === encodeBase64url(invite.certificate.accountId));
    assert.equal(bea?.displayName, "Bea");
    assert.equal(bea?.role, "member");
  });

  it("refuses a device certificate made by a foreign account key", async () => {
    const invite = await admin.invite("Dora");
    assertError(
      await redeemWith(invite, { foreignDeviceCertificate: true }),
      400,
      "certificate_invalid",
      "deviceCertificate",
    );
    assert.equal((await redeemWith(invite)).status, 201);
  });

  it("refuses a second redeem of one invitation, with another account key", async () => {
    const invite = await admin.invite("Emil");
    assert.equal((await redeemWith(invite)).status, 201);
    assertError(await redeemWith(invite), 409, "invitation_used");
  });

  it("refuses expired, overlong, foreign and misattributed invitation certificates", async () => {
    const post = (certificate: ReturnType<typeof invitationCertificate>, as: TestDevice = admin) =>
      as.call("POST", "/v1/invitations", { certificate: encodeBase64url(encodeInvitationCertificate(certificate)) });
    const fields = {
      invitationKey: newKeyPair().publicKey,
      accountId: randomAccountId(),
      role: "member" as const,
      displayName: "Fritz",
      issuedBy: admin.accountId,
    };
    const key = admin.organisation.key;
    const expired = invitationCertificate(key, { ...fields, expiresAtSeconds: nowSeconds() - 3600 });
    assertError(await post(expired), 400, "certificate_invalid", "certificate");
    const overlong = invitationCertificate(key, { ...fields, expiresAtSeconds: nowSeconds() + 31 * 24 * 3600 });
    assertError(await post(overlong), 400, "certificate_invalid", "certificate");
    assertError(await post(invitationCertificate(newKeyPair(), fields)), 400, "certificate_invalid", "certificate");
    const byOther = invitationCertificate(key, { ...fields, issuedBy: randomAccountId() });
    assertError(await post(byOther), 400, "certificate_invalid", "certificate.issuedBy");
    // An account id already in use cannot be invited again.
    const taken = invitationCertificate(key, { ...fields, accountId: admin.accountId });
    assertError(await post(taken), 400, "certificate_invalid", "certificate.accountId");
    // A member cannot invite, even with a valid certificate.
    const member = await TestDevice.join(s, await admin.invite("Gabi"));
    await member.login();
    assertError(await post(invitationCertificate(key, fields), member), 403, "forbidden");
  });

  it("answers an invitation past its expiry with invitation_invalid", async () => {
    const invite = await admin.invite("Hans", "member", { expiresAtSeconds: nowSeconds() + 60 });
    clockOffset = 2 * 60_000;
    try {
      assertError(await redeemWith(invite), 404, "invitation_invalid");
    } finally {
      clockOffset = 0;
    }
  });

  it("answers a revoked invitation with invitation_invalid and lists every invitation with its state", async () => {
    const open = await admin.invite("Ines");
    const revoked = await admin.invite("Jan");
    const used = await admin.invite("Karl");
    assert.equal((await redeemWith(used)).status, 201);
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
    assertError(await redeemWith(revoked), 404, "invitation_invalid");
    const listed = await admin.call<InvitationsResponse>("GET", "/v1/invitations");
    assert.equal(listed.status, 200);
    const stateOf = (i: Invite) =>
      listed.body.invitations.find((x) => x.accountId === encodeBase64url(i.certificate.accountId))?.state;
    assert.equal(stateOf(open), "open");
    assert.equal(stateOf(revoked), "revoked");
    assert.equal(stateOf(used), "used");
    const entry = listed.body.invitations.find((x) => x.accountId === encodeBase64url(open.certificate.accountId));
    assert.equal(entry?.certificate, encodeBase64url(encodeInvitationCertificate(open.certificate)));
    assert.equal(entry?.displayName, "Ines");
  });

  it("refuses a second first admin, and an invitation redeem before the organisation has a key", async () => {
    // The bootstrap invitation is spent: the token answers invitation_used.
    await assert.rejects(TestDevice.join(s, s.adminInvitationToken, "Mallory"), /409.*invitation_used/);
    const fresh = await startTestServer(backend);
    try {
      // A certified invitation cannot exist before the key; a made-up token is simply unknown.
      await assert.rejects(TestDevice.join(fresh, "x".repeat(43), "Nobody"), /404.*invitation_invalid/);
      // The first admin must certify itself as admin with the key it brings.
      const device = newKeyPair();
      const accountKey = newKeyPair();
      const org = newKeyPair();
      const accountId = randomAccountId();
      const asMember = organisationAccountCertificate(org, {
        accountId,
        accountKey: accountKey.publicKey,
        role: "member",
        displayName: "Nina",
        issuedBy: accountId,
      });
      const res = await http(fresh, "POST", "/v1/invitations/redeem", {
        body: redeemBody({
          token: fresh.adminInvitationToken,
          accountId,
          deviceKey: device.publicKey,
          accountCertificate: asMember,
          deviceCertificate: deviceCertificate(accountId, accountKey, device.publicKey),
          organisationKey: org.publicKey,
        }),
      });
      assertError(res, 400, "certificate_invalid", "accountCertificate");
      // Signed by another key than the one it brings.
      const res2 = await http(fresh, "POST", "/v1/invitations/redeem", {
        body: redeemBody({
          token: fresh.adminInvitationToken,
          accountId,
          deviceKey: device.publicKey,
          accountCertificate: { ...asMember, role: "admin" },
          deviceCertificate: deviceCertificate(accountId, accountKey, device.publicKey),
          organisationKey: newKeyPair().publicKey,
        }),
      });
      assertError(res2, 400, "certificate_invalid");
      assert.equal(await fresh.store.getOrganisationKey((await fresh.store.listOrganisations())[0]!.id), undefined);
    } finally {
      await fresh.close();
    }
  });
});

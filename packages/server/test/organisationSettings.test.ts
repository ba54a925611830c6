/**
 * The setup wizard's organisation settings: only an admin's session sets
 * them, bad input changes nothing, and every device of the organisation
 * reads them with the log.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { ErrorBody, OrganisationLogResponse } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice } from "./support/device.js";

describeEachBackend("organisation settings", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let member: TestDevice;

  before(async () => {
    s = await startTestServer(backend);
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna Admin");
    await admin.login();
    member = await TestDevice.join(s, await admin.invite("Bernd Bau"));
    await member.login();
  });
  after(() => s.close());

  const settings = async (device: TestDevice) =>
    (await device.call<OrganisationLogResponse>("GET", "/v1/organisation/log?after=999999")).body.organisation;

  function assertError(res: { status: number; body: unknown }, status: number, code: string, path?: string): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal((res.body as ErrorBody).error.code, code);
    if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
  }

  it("starts not set up, in German, with the name from --org-name", async () => {
    const initial = await settings(member);
    assert.deepEqual([initial.name, initial.language, initial.setUpAt], ["Testbau GmbH", "de", null]);
  });

  it("refuses a member, a bad name, an unknown language and unknown fields, changing nothing", async () => {
    const path = "/v1/organisation/settings";
    assertError(await member.call("POST", path, { name: "Übernahme AG", language: "de" }), 403, "forbidden");
    assertError(await admin.call("POST", path, { name: " Leerzeichen ", language: "de" }), 400, "bad_request", "name");
    assertError(await admin.call("POST", path, { name: "a\u0007b", language: "de" }), 400, "bad_request", "name");
    assertError(await admin.call("POST", path, { name: "x".repeat(65), language: "de" }), 400, "bad_request", "name");
    assertError(await admin.call("POST", path, { name: "Firma", language: "fr" }), 400, "bad_request", "language");
    assertError(await admin.call("POST", path, { name: "Firma", language: "de", admin: true }), 400, "bad_request");
    assert.deepEqual((await settings(admin)).setUpAt, null);
    assert.equal((await settings(admin)).name, "Testbau GmbH");
  });

  it("takes an admin's name and language and marks the setup done for everyone", async () => {
    const res = await admin.call("POST", "/v1/organisation/settings", { name: "Dachdecker Schmidt", language: "en" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const seen = await settings(member);
    assert.equal(seen.name, "Dachdecker Schmidt");
    assert.equal(seen.language, "en");
    assert.ok(seen.setUpAt !== null && Date.parse(seen.setUpAt) > 0);
  });
});

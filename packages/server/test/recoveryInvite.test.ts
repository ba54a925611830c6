/**
 * A recovery invitation (`bote serve --recovery-invite`) names no account,
 * like the first admin's, but the organisation key exists: the server
 * accepts only a device that certifies its admin account with that key,
 * which only the holder of the recovery kit has. The operator who makes
 * the invitation, with a key of its own, gets nothing.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ErrorBody } from "@bote/protocol";
import { bootstrapOrganisation } from "../src/index.js";
import { describeEachBackend, startTestServer, type Backend, type TestServer } from "./support/server.js";
import { TestDevice, http } from "./support/device.js";

describeEachBackend("recovery invitation", (backend: Backend) => {
  let s: TestServer;
  let anna: TestDevice;
  let token: string;

  before(async () => {
    s = await startTestServer(backend);
    anna = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await anna.login();
    const dataDir = await mkdtemp(join(tmpdir(), "bote-recovery-invite-"));
    const boot = await bootstrapOrganisation({
      store: s.store,
      dataDir,
      publicUrl: s.url,
      organisationName: "egal",
      recoveryInvite: true,
    });
    assert.equal(boot.recoveryInvitationUrl, (await readFile(join(dataDir, "recovery-invite"), "utf8")).trim());
    token = new URL(boot.recoveryInvitationUrl).hash.replace(/^#t=/, "");
  });

  after(async () => {
    await s?.close();
  });

  it("refuses a device that certifies itself with a key of its own", async () => {
    await assert.rejects(TestDevice.join(s, token, "Mallory"), /invitation_invalid/);
  });

  it("makes an admin of the device that holds the organisation key, once", async () => {
    const restored = await TestDevice.join(s, token, "Anna Neu", anna.organisation.key);
    await restored.login();
    const members = await restored.call<{ members: { accountId: string; role: string }[] }>("GET", "/v1/members");
    assert.equal(members.status, 200);
    assert.equal(members.body.members.filter((m) => m.role === "admin").length, 2);
    const again = await http<ErrorBody>(s, "POST", "/v1/invitations/check", { body: { token } });
    assert.equal(again.body.error.code, "invitation_used");
  });
});

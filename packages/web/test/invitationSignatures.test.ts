/**
 * The join screen checks an invitation link's signatures with WebCrypto's
 * Ed25519 (Node has it, as Chromium does), so noble stays out of the first
 * load; where WebCrypto cannot, it asks the SDK's parseInvitationLink.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { createInvitation, createSigningKey, formatInvitationLink, parseInvitationLink } from "@bote/core";
import type { Transport } from "@bote/client";
import { askServer } from "@bote/web/state/invitation";

const SERVER_JOIN = `https://bote.example.de/join#t=${"T".repeat(43)}`;

function invitation() {
  return createInvitation(
    createSigningKey(),
    { accountId: new Uint8Array(16).fill(7), displayName: "Ben Bauer", role: "member" },
    { expiresAt: new Date(Date.now() + 3_600_000), issuedBy: new Uint8Array(16).fill(1) },
  );
}

/** A server that says every token is open. */
const open: Transport = {
  http: () =>
    Promise.resolve({
      status: 200,
      header: () => undefined,
      stream: () => (async function* () {})(),
      bytes: () => Promise.resolve(new TextEncoder().encode(JSON.stringify({ state: "open" }))),
    }),
  openSocket: () => assert.fail("no socket for a check"),
};

const noNoble = () => assert.fail("WebCrypto has Ed25519 here: noble is not asked");

it("a link whose signatures hold is open; a forged certificate or a foreign key is gone", async () => {
  const good = invitation();
  const link = formatInvitationLink(SERVER_JOIN, { invitationSignKey: good.signKey, certificate: good.certificate });
  assert.equal(await askServer(link, open, noNoble), "open");

  const renamed = { ...good.certificate, displayName: "Eva Eich" };
  const forged = formatInvitationLink(SERVER_JOIN, { invitationSignKey: good.signKey, certificate: renamed });
  assert.equal(parseInvitationLink(forged).ok, false);
  assert.equal(await askServer(forged, open, noNoble), "gone");

  const foreign = formatInvitationLink(SERVER_JOIN, {
    invitationSignKey: invitation().signKey,
    certificate: good.certificate,
  });
  assert.equal(parseInvitationLink(foreign).ok, false);
  assert.equal(await askServer(foreign, open, noNoble), "gone");
});

it("without WebCrypto's Ed25519 the SDK's check decides", async (t) => {
  const good = invitation();
  const link = formatInvitationLink(SERVER_JOIN, { invitationSignKey: good.signKey, certificate: good.certificate });
  t.mock.method(globalThis.crypto.subtle, "importKey", () => Promise.reject(new DOMException("", "NotSupportedError")));
  let asked = 0;
  const noble = () => {
    asked++;
    return Promise.resolve(parseInvitationLink(link).ok);
  };
  assert.equal(await askServer(link, open, noble), "open");
  assert.equal(asked, 1);
});

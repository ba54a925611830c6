/**
 * checkInvitation: what a joining page asks before it asks its person for
 * anything. The HTTP port is the test's, so every request is seen: only the
 * token leaves the device, to the server the link names.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { createInvitation, createSigningKey, formatInvitationLink } from "@bote/core";
import { checkInvitation, ClientError, type HttpRequest, type Transport } from "@bote/client";

const T = 1_800_000_000_000;
const SERVER = "https://bote.example.de";

function link(expiresAt: number): string {
  const invitation = createInvitation(
    createSigningKey(),
    { accountId: new Uint8Array(16).fill(7), displayName: "Ben Bauer", role: "member" },
    { expiresAt: new Date(expiresAt), issuedBy: new Uint8Array(16).fill(1) },
  );
  return formatInvitationLink(`${SERVER}/join#t=${"T".repeat(43)}`, {
    invitationSignKey: invitation.signKey,
    certificate: invitation.certificate,
  });
}

/** A server that answers every request with `status` and `body`, and remembers what it was asked. */
function server(
  status: number,
  body: unknown,
): { transport: Transport; asked: { url: string; request: HttpRequest }[] } {
  const asked: { url: string; request: HttpRequest }[] = [];
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const transport: Transport = {
    http: (url, request) => {
      asked.push({ url, request });
      return Promise.resolve({
        status,
        header: () => undefined,
        stream: () => (async function* () {})(),
        bytes: () => Promise.resolve(bytes),
      });
    },
    openSocket: () => assert.fail("no socket for a check"),
  };
  return { transport, asked };
}

function code(expected: string) {
  return (err: unknown) => err instanceof ClientError && err.code === expected;
}

it("asks the link's server about the token alone, and resolves for an open invitation", async () => {
  const { transport, asked } = server(200, { state: "open" });
  const invitationLink = link(T + 3_600_000);
  await checkInvitation({ transport, invitationLink, now: () => T });
  assert.equal(asked.length, 1);
  assert.equal(asked[0]!.url, `${SERVER}/`);
  assert.equal(asked[0]!.request.method, "POST");
  assert.equal(asked[0]!.request.path, "/v1/invitations/check");
  assert.deepEqual(JSON.parse(asked[0]!.request.body as string), { token: "T".repeat(43) });
  const key = new URL(invitationLink).hash.match(/&k=([^&]+)/)![1]!;
  assert.ok(!JSON.stringify(asked).includes(key), "the invitation key stays on the device");
});

it("throws the server's verdict: used or invalid", async () => {
  const used = server(409, { error: { code: "invitation_used", message: "used" } });
  await assert.rejects(
    checkInvitation({ ...used, invitationLink: link(T + 60_000), now: () => T }),
    code("invitation_used"),
  );
  const gone = server(404, { error: { code: "invitation_invalid", message: "invalid" } });
  await assert.rejects(
    checkInvitation({ ...gone, invitationLink: link(T + 60_000), now: () => T }),
    code("invitation_invalid"),
  );
});

it("refuses a garbled or expired link without asking the server", async () => {
  const { transport, asked } = server(200, { state: "open" });
  await assert.rejects(
    checkInvitation({ transport, invitationLink: `${SERVER}/join#t=abc&k=kaputt`, now: () => T }),
    code("invitation_link_invalid"),
  );
  await assert.rejects(
    checkInvitation({ transport, invitationLink: link(T - 3_600_000), now: () => T }),
    code("invitation_invalid"),
  );
  assert.equal(asked.length, 0);
});

it("an unreachable server is offline, and an odd answer is the server's fault", async () => {
  const unreachable: Transport = {
    http: () => Promise.reject(new TypeError("fetch failed")),
    openSocket: () => assert.fail("no socket"),
  };
  await assert.rejects(
    checkInvitation({ transport: unreachable, invitationLink: link(T + 60_000), now: () => T }),
    code("offline"),
  );
  const odd = server(200, { state: "maybe" });
  await assert.rejects(
    checkInvitation({ ...odd, invitationLink: link(T + 60_000), now: () => T }),
    code("server_unexpected"),
  );
});

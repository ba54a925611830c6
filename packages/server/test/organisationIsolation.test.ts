/**
 * Two organisations on one server: a device of the second cannot fetch a
 * blob the first uploaded, even knowing its id, and its admin can neither
 * export nor erase a person of the first. The store holds any number of
 * organisations; the second is made in it directly, with a first-admin
 * invitation as bootstrap makes one.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  encodeBase64url,
  type BlobUploadResponse,
  type ErrorBody,
  type PersonErasureResponse,
  type PrivacyDocumentResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type Backend, type TestServer } from "./support/server.js";
import { TestDevice, http } from "./support/device.js";
import { sha256 } from "../src/crypto.js";
import { contactPoint } from "./support/orgKeys.js";

async function secondOrganisation(s: TestServer): Promise<string> {
  const orgId = new Uint8Array(randomBytes(16));
  await s.store.createOrganisation({ id: orgId, name: "Konkurrenz AG", createdAt: Date.now() });
  const token = encodeBase64url(randomBytes(32));
  await s.store.createInvitation({
    id: new Uint8Array(randomBytes(16)),
    orgId,
    tokenHash: sha256(token),
    role: "admin",
    expiresAt: Date.now() + 3_600_000,
    createdAt: Date.now(),
  });
  return token;
}

describeEachBackend("organisation isolation", (backend: Backend) => {
  let s: TestServer;
  let anna: TestDevice;
  let bert: TestDevice;
  let outsider: TestDevice;
  let blobId: string;
  const content = randomBytes(5000);

  before(async () => {
    s = await startTestServer(backend);
    anna = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await anna.login();
    bert = await TestDevice.join(s, await anna.invite("Bert"));
    await bert.login();
    outsider = await TestDevice.join(s, await secondOrganisation(s), "Olga Outsider");
    await outsider.login();
    const up = await http<BlobUploadResponse>(s, "POST", "/v1/blobs", {
      token: anna.token,
      raw: content,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(up.status, 201);
    blobId = up.body.blobId;
  });

  after(async () => {
    await s?.close();
  });

  it("serves a blob to a device of the uploader's organisation", async () => {
    const response = await fetch(`${s.url}/v1/blobs/${blobId}`, { headers: { authorization: `Bearer ${bert.token}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), content);
  });

  it("answers a device of another organisation as if the blob did not exist", async () => {
    const theirs = await http<ErrorBody>(s, "GET", `/v1/blobs/${blobId}`, { token: outsider.token });
    const none = await http<ErrorBody>(s, "GET", `/v1/blobs/${encodeBase64url(randomBytes(32))}`, {
      token: outsider.token,
    });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error.code, "blob_not_found");
    assert.deepEqual(theirs.body, none.body, "the answer tells nothing more than for an unknown id");
  });

  it("lets an admin neither export nor erase a person of another organisation", async () => {
    const path = `/v1/admin/persons/${encodeBase64url(bert.accountId)}`;
    const exported = await http<ErrorBody>(s, "GET", path, { token: outsider.token });
    assert.equal(exported.status, 404);
    assert.equal(exported.body.error.code, "account_unknown");
    const erased = await http<ErrorBody>(s, "POST", `${path}/erase`, { token: outsider.token, body: {} });
    assert.equal(erased.body.error.code, "account_unknown");
  });

  it("lets an admin of another organisation not erase a customer of the first", async () => {
    const cp = contactPoint(anna.organisation.key, {
      slug: `iso-${backend}`,
      staff: [bert.accountId],
      issuedBy: anna.accountId,
    });
    assert.equal((await anna.postStatements([{ kind: "contactPoint", contactPoint: cp }])).status, 200);
    const guest = await TestDevice.guest(s, `iso-${backend}`, {
      organisationKey: anna.organisation.key.publicKey,
      contactPointId: cp.contactPointId,
    });
    const path = `/v1/admin/persons/${encodeBase64url(guest.accountId)}/erase`;
    const foreign = await http<ErrorBody>(s, "POST", path, { token: outsider.token, body: {} });
    assert.equal(foreign.body.error.code, "account_unknown");
    await guest.login();
    const own = await http<PersonErasureResponse>(s, "POST", path, { token: anna.token, body: {} });
    assert.equal(own.status, 200, "the customer's own organisation can");
  });

  it("gives each organisation's member the privacy information naming their organisation", async () => {
    const read = async (token?: string) =>
      (await http<PrivacyDocumentResponse>(s, "GET", "/v1/privacy/info", token === undefined ? {} : { token })).body
        .markdown;
    assert.match(await read(outsider.token), /Konkurrenz AG/);
    assert.doesNotMatch(await read(bert.token), /Konkurrenz AG/);
    // Before a join nobody is known: the server's first organisation, as bootstrap made it.
    assert.doesNotMatch(await read(), /Konkurrenz AG/);
    const wrong = await http<ErrorBody>(s, "GET", "/v1/privacy/info", { token: encodeBase64url(randomBytes(32)) });
    assert.equal(wrong.status, 401);
  });
});

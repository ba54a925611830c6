/** The organisation view keeps the newest org-signed directory entry per account, and nothing else. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  applyStatement,
  createDirectoryEntry,
  createOrganisationView,
  createSigningKey,
  decodeOrganisationView,
  encodeOrganisationView,
  rotateOrganisationKey,
} from "@bote/core";
import { encodeBase64url } from "@bote/protocol";

const NOW = new Date("2026-12-04T12:00:00Z");
const LATER = new Date(NOW.getTime() + 60_000);
const id = () => new Uint8Array(randomBytes(16));

it("the newest entry wins, an older one changes nothing, a forged one is reported and ignored", () => {
  const org = createSigningKey();
  const admin = id();
  const lena = id();
  let view = createOrganisationView(org.publicKey);
  const entry = (department: string, now: Date, key = org) =>
    createDirectoryEntry(key, { accountId: lena, department, title: "" }, { issuedBy: admin, now });
  const apply = (e: ReturnType<typeof entry>) => applyStatement(view, { kind: "directoryEntry", entry: e }, NOW);

  ({ view } = apply(entry("Vertrieb", NOW)));
  ({ view } = apply(entry("Lager", LATER)));
  ({ view } = apply(entry("Büro", NOW)));
  assert.equal(view.directory.get(encodeBase64url(lena))?.department, "Lager");

  const forged = apply(entry("Geschäftsführung", LATER, createSigningKey()));
  assert.equal(forged.fault, "wrong_organisation_key");
  assert.equal(forged.view.directory.get(encodeBase64url(lena))?.department, "Lager");

  const stored = decodeOrganisationView(encodeOrganisationView(view));
  assert.deepEqual(stored.directory, view.directory);
});

it("after a rotation only the new key's entries count", () => {
  const org = createSigningKey();
  const admin = id();
  const lena = id();
  let view = createOrganisationView(org.publicKey);
  const { next, rotation } = rotateOrganisationKey(org, { issuedBy: admin, now: NOW });
  ({ view } = applyStatement(view, { kind: "rotation", rotation }, NOW));
  const old = createDirectoryEntry(
    org,
    { accountId: lena, department: "Alt", title: "" },
    { issuedBy: admin, now: LATER },
  );
  assert.equal(applyStatement(view, { kind: "directoryEntry", entry: old }, NOW).fault, "wrong_organisation_key");
  const fresh = createDirectoryEntry(
    next,
    { accountId: lena, department: "Neu", title: "" },
    { issuedBy: admin, now: LATER },
  );
  ({ view } = applyStatement(view, { kind: "directoryEntry", entry: fresh }, NOW));
  assert.equal(view.directory.get(encodeBase64url(lena))?.department, "Neu");
});

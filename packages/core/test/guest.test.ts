// Customers at a contact point (docs/PROTOCOL.md §18), as attacks: who may
// pass as a guest, and which groups a guest may be in.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  addMembers,
  applyStatement,
  certifyDevice,
  certifyGuest,
  ConversationError,
  createContactPointStatement,
  createConversation,
  createDevice,
  createOrganisationView,
  createSigningKey,
  createTrustPolicy,
  credentialFromCertificates,
  decodeKeyPackage,
  decodeOrganisationView,
  DEFAULT_CIPHERSUITE,
  encodeOrganisationView,
  generateKeyPackageBundle,
  generateSignatureKeyPair,
  joinConversation,
  processIncoming,
  readEpoch,
  type AuthenticationPort,
  type Conversation,
  type OrganisationView,
  type SignatureKeyPair,
} from "@bote/core";
import { encodeBase64url, type ContactPoint } from "@bote/protocol";
import { createCommit, encodeMlsMessage, getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { makeMember, randomAddress, type TestPerson } from "./support.js";

const NOW = new Date("2026-12-03T12:00:00Z");
const id = () => new Uint8Array(randomBytes(16));

function organisation() {
  const key = createSigningKey();
  return { key, adminId: id(), view: createOrganisationView(key.publicKey) };
}

function contactPoint(
  org: { key: SignatureKeyPair; adminId: Uint8Array },
  overrides: { contactPointId?: Uint8Array; name?: string; now?: Date } = {},
): ContactPoint {
  return createContactPointStatement(
    org.key,
    {
      contactPointId: overrides.contactPointId ?? id(),
      slug: "dach-schmidt",
      open: true,
      name: overrides.name ?? "Dachdecker Schmidt",
      staff: [id()],
      greeting: "",
      openingHours: "",
      privacyText: "Nur für Ihre Anfrage.",
      requiredFields: [],
      retentionDays: 90,
    },
    { issuedBy: org.adminId, now: overrides.now ?? NOW },
  );
}

function withContactPoint(view: OrganisationView, c: ContactPoint): OrganisationView {
  const applied = applyStatement(view, { kind: "contactPoint", contactPoint: c }, NOW);
  assert.equal(applied.fault, undefined);
  return applied.view;
}

/** A customer's throw-away device: its own account key signs its certificate. */
async function makeGuest(
  name: string,
  organisationKey: Uint8Array,
  contactPointId: Uint8Array,
  accountId: Uint8Array = id(),
): Promise<TestPerson> {
  const accountKey = createSigningKey();
  const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
  const device = createDevice({
    signatureKeyPair,
    accountCertificate: certifyGuest(
      accountKey,
      { accountId, displayName: name, organisationKey, contactPointId },
      NOW,
    ),
    deviceCertificate: certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, NOW),
    deliveryAddress: randomAddress(),
  });
  return { device, bundle: await generateKeyPackageBundle(device), accountKey };
}

function policy(view: OrganisationView): AuthenticationPort {
  let current = view;
  return createTrustPolicy({
    organisation: { current: () => current, update: (next) => Promise.resolve(void (current = next)) },
    // Even a user's explicit acceptance must not let a guest in.
    contacts: { deviceTrust: () => Promise.resolve("verified") },
    now: () => NOW,
  });
}

const guestRefused = (e: unknown) => e instanceof ConversationError && e.code === "guest_not_allowed";

describe("organisation view: contact points", () => {
  it("keeps the newest contact point per id under the current key and stores it", () => {
    const org = organisation();
    const cpId = id();
    const first = contactPoint(org, { contactPointId: cpId, name: "Anfragen" });
    const newer = contactPoint(org, { contactPointId: cpId, name: "Anfragen 2", now: new Date(NOW.getTime() + 1000) });
    let view = withContactPoint(withContactPoint(org.view, newer), first);
    assert.equal(view.contactPoints.get(encodeBase64url(cpId))?.name, "Anfragen 2", "an older statement loses");
    const forged = contactPoint(organisation(), {});
    const applied = applyStatement(view, { kind: "contactPoint", contactPoint: forged }, NOW);
    assert.equal(applied.fault, "wrong_organisation_key");
    const tampered = { ...first, name: "Gekapert" };
    assert.equal(applyStatement(view, { kind: "contactPoint", contactPoint: tampered }, NOW).fault, "bad_signature");
    view = decodeOrganisationView(encodeOrganisationView(view));
    assert.equal(view.contactPoints.size, 1);
    assert.equal(view.contactPoints.get(encodeBase64url(cpId))?.name, "Anfragen 2");
  });
});

describe("trust policy: guests", () => {
  it("accepts a guest only for a contact point the organisation published, never as a member", async () => {
    const org = organisation();
    const cp = contactPoint(org);
    const view = withContactPoint(org.view, cp);
    const guest = await makeGuest("Kundin", org.key.publicKey, cp.contactPointId);
    const key = guest.device.signatureKeyPair.publicKey;
    assert.deepEqual(await policy(view).authenticate(guest.device.credential, key), {
      accepted: true,
      basis: "contact_point",
    });
    // A staff device that has not (yet) seen the contact point in the log.
    assert.deepEqual(await policy(org.view).authenticate(guest.device.credential, key), {
      accepted: false,
      reason: "bad_endorsement",
    });
    // An unknown contact point id.
    const stray = await makeGuest("Fremd", org.key.publicKey, id());
    assert.equal(
      (await policy(view).authenticate(stray.device.credential, stray.device.signatureKeyPair.publicKey)).accepted,
      false,
    );
    // Made for another organisation's key.
    const foreign = await makeGuest("Fremd", organisation().key.publicKey, cp.contactPointId);
    assert.equal(
      (await policy(view).authenticate(foreign.device.credential, foreign.device.signatureKeyPair.publicKey)).accepted,
      false,
    );
  });

  it("refuses a forged guest certificate and a guest under a colleague's account id", async () => {
    const org = organisation();
    const cp = contactPoint(org);
    const guest = await makeGuest("Kundin", org.key.publicKey, cp.contactPointId);
    const certificate = guest.device.credential.accountCertificate;
    // The server (or anyone) renames the customer after the fact.
    const renamed = credentialFromCertificates(
      { ...certificate, displayName: "Chefin" },
      guest.device.credential.deviceCertificate,
    );
    const view = withContactPoint(org.view, cp);
    const key = guest.device.signatureKeyPair.publicKey;
    assert.deepEqual(await policy(view).authenticate(renamed, key), { accepted: false, reason: "bad_endorsement" });
    // A guest taking Bernd's account id must not be shown as Bernd.
    const bernd = await makeMember("Bernd", { organisation: org });
    const known = policy(view);
    assert.equal(
      (await known.authenticate(bernd.device.credential, bernd.device.signatureKeyPair.publicKey)).accepted,
      true,
    );
    const impostor = await makeGuest("Bernd", org.key.publicKey, cp.contactPointId, bernd.device.credential.accountId);
    assert.equal(
      (await known.authenticate(impostor.device.credential, impostor.device.signatureKeyPair.publicKey)).accepted,
      false,
    );
  });
});

describe("group rule: one guest, only in its own group", () => {
  /** Staff Anna and Bernd, the published contact point, and a customer who wrote to them. */
  async function inquiry() {
    const org = organisation();
    const cp = contactPoint(org);
    const view = withContactPoint(org.view, cp);
    const staffAuth = policy(view);
    const anna = await makeMember("Anna", { organisation: org });
    const bernd = await makeMember("Bernd", { organisation: org });
    const guest = await makeGuest("Kundin", org.key.publicKey, cp.contactPointId);
    // The customer's device anchors on the organisation key and the contact point it fetched.
    const guestAuth = policy(view);
    const created = await addMembers(
      await createConversation(guest.device, guestAuth),
      [anna.bundle.keyPackage, bernd.bundle.keyPackage],
      guestAuth,
    );
    const annaSide = await joinConversation(created.welcome, anna.bundle, staffAuth);
    const berndSide = await joinConversation(created.welcome, bernd.bundle, staffAuth);
    return { org, cp, view, staffAuth, anna, bernd, guest, guestSide: created.conversation, annaSide, berndSide };
  }

  /** A client that skips Bote's checks commits an Add through ts-mls directly. */
  async function rogueAdd(conversation: Conversation, ...keyPackages: Uint8Array[]) {
    const cs = await getCiphersuiteImpl(getCiphersuiteFromName(DEFAULT_CIPHERSUITE));
    const result = await createCommit(
      { state: conversation.group, cipherSuite: cs },
      {
        extraProposals: keyPackages.map((bytes) => {
          const decoded = decodeKeyPackage(bytes, DEFAULT_CIPHERSUITE);
          assert.ok(decoded.ok);
          return { proposalType: "add" as const, add: { keyPackage: decoded.value } };
        }),
        ratchetTreeExtension: true,
      },
    );
    assert.ok(result.welcome !== undefined);
    return {
      commit: encodeMlsMessage(result.commit),
      welcome: encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: result.welcome }),
    };
  }

  it("lets staff join the group the guest created", async () => {
    const { annaSide, berndSide } = await inquiry();
    assert.equal(readEpoch(annaSide), 1n);
    assert.equal(readEpoch(berndSide), 1n);
  });

  it("refuses a member adding a guest to an existing chat, on both sides", async () => {
    const { cp, org, staffAuth, anna, bernd } = await inquiry();
    const chat = await addMembers(
      await createConversation(anna.device, staffAuth),
      [bernd.bundle.keyPackage],
      staffAuth,
    );
    const berndChat = await joinConversation(chat.welcome, bernd.bundle, staffAuth);
    const customer = await makeGuest("Kundin", org.key.publicKey, cp.contactPointId);
    await assert.rejects(addMembers(chat.conversation, [customer.bundle.keyPackage], staffAuth), guestRefused);
    const { commit } = await rogueAdd(chat.conversation, customer.bundle.keyPackage);
    await assert.rejects(processIncoming(berndChat, commit, staffAuth), guestRefused);
  });

  it("refuses a second guest in an inquiry, on both sides", async () => {
    const { cp, org, staffAuth, guest, guestSide, annaSide } = await inquiry();
    const second = await makeGuest("Zweiter", org.key.publicKey, cp.contactPointId);
    await assert.rejects(addMembers(annaSide, [second.bundle.keyPackage], staffAuth), guestRefused);
    const { commit } = await rogueAdd(guestSide, second.bundle.keyPackage);
    await assert.rejects(processIncoming(annaSide, commit, staffAuth), guestRefused);
    // A new group made around two guests: refused by its staff joining from the Welcome.
    const carla = await makeMember("Carla", { organisation: org });
    const { welcome } = await rogueAdd(
      await createConversation(guest.device, staffAuth),
      second.bundle.keyPackage,
      carla.bundle.keyPackage,
    );
    await assert.rejects(joinConversation(welcome, carla.bundle, staffAuth), guestRefused);
  });
});

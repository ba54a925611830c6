import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  addMembers,
  checkVerificationQr,
  classifyContact,
  computeSafetyNumber,
  ConversationError,
  createConversation,
  createInvitation,
  createOrganisationKey,
  createTrustPolicy,
  decodeBoteCredential,
  decodeInvitationCertificate,
  encodeBoteCredential,
  encodeInvitationCertificate,
  endorseByInvitation,
  endorseByOrganisation,
  endorseDevice,
  formatInvitationLink,
  generateKeyPackageBundle,
  MAX_INVITATION_LIFETIME_SECONDS,
  parseInvitationLink,
  verificationQrPayload,
  verifyEndorsement,
  type BoteCredential,
  type ContactTrustLookup,
  type CredentialFields,
  type Endorsement,
  POST_QUANTUM_CIPHERSUITE,
} from "@bote/core";
import { encodeBase64url } from "@bote/protocol";
import { makePerson } from "./support.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const IN_A_WEEK = new Date(NOW.getTime() + 7 * 24 * 3_600_000);

const fields = (displayName = "Jürgen Müller"): CredentialFields => ({
  accountId: new Uint8Array(randomBytes(16)),
  devicePublicKey: new Uint8Array(randomBytes(32)),
  displayName,
});

const endorsed = (f: CredentialFields, endorsement: Endorsement): BoteCredential => ({ ...f, endorsement });

function flipped(bytes: Uint8Array, at = 0): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 1;
  return copy;
}

const reasonOf = (credential: BoteCredential, orgPublicKey: Uint8Array, now = NOW) => {
  const verdict = verifyEndorsement(credential, orgPublicKey, now);
  return verdict.ok ? "ok" : verdict.reason;
};

describe("endorsement", () => {
  const org = createOrganisationKey();
  const { certificate, signKey } = createInvitation(org, { role: "member", expiresAt: IN_A_WEEK });

  it("an organisation key is a 32-byte Ed25519 seed and public key", () => {
    assert.equal(org.signKey.length, 32);
    assert.equal(org.publicKey.length, 32);
    assert.equal(certificate.expiresAtSeconds, IN_A_WEEK.getTime() / 1000);
  });

  it("round-trips organisation and invitation endorsements through the credential encoding", () => {
    for (const make of [
      (f: CredentialFields) => endorseByOrganisation(f, org),
      (f: CredentialFields) => endorseByInvitation(f, certificate, signKey),
    ]) {
      const f = fields();
      const credential = endorsed(f, make(f));
      const decoded = decodeBoteCredential(encodeBoteCredential(credential));
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.value, credential);
      assert.equal(reasonOf(decoded.value, org.publicKey), "ok");
    }
  });

  it("refuses a tampered name, key, account or signature", () => {
    const f = fields();
    for (const endorsement of [endorseByOrganisation(f, org), endorseByInvitation(f, certificate, signKey)]) {
      const good = endorsed(f, endorsement);
      assert.equal(reasonOf({ ...good, displayName: "Jürgen Müller2" }, org.publicKey), "bad_signature");
      assert.equal(reasonOf({ ...good, devicePublicKey: flipped(f.devicePublicKey) }, org.publicKey), "bad_signature");
      assert.equal(reasonOf({ ...good, accountId: flipped(f.accountId, 15) }, org.publicKey), "bad_signature");
      const badSignature = { ...endorsement, signature: flipped(endorsement.signature, 7) };
      assert.equal(reasonOf(endorsed(f, badSignature), org.publicKey), "bad_signature");
    }
  });

  it("refuses another organisation's endorsements and an unendorsed credential", () => {
    const foreign = createOrganisationKey();
    const f = fields();
    assert.equal(reasonOf(endorsed(f, endorseByOrganisation(f, foreign)), org.publicKey), "bad_signature");
    const foreignInvite = createInvitation(foreign, { role: "member", expiresAt: IN_A_WEEK });
    const viaForeign = endorseByInvitation(f, foreignInvite.certificate, foreignInvite.signKey);
    assert.equal(reasonOf(endorsed(f, viaForeign), org.publicKey), "bad_certificate");
    // A certificate of ours re-labelled as admin no longer verifies.
    const promoted: Endorsement = {
      kind: "invitation",
      certificate: { ...certificate, role: "admin" },
      signature: endorseByInvitation(f, certificate, signKey).signature,
    };
    assert.equal(reasonOf(endorsed(f, promoted), org.publicKey), "bad_certificate");
    assert.equal(reasonOf(f, org.publicKey), "not_endorsed");
  });

  it("accepts an invitation endorsement after the invitation expired, but not an overlong certificate", () => {
    const f = fields();
    const credential = endorsed(f, endorseByInvitation(f, certificate, signKey));
    assert.equal(reasonOf(credential, org.publicKey, new Date(IN_A_WEEK.getTime() + 365 * 86_400_000)), "ok");
    const forever = createInvitation(org, {
      role: "member",
      expiresAt: new Date(NOW.getTime() + (MAX_INVITATION_LIFETIME_SECONDS + 2 * 86_400) * 1000),
    });
    const overlong = endorsed(f, endorseByInvitation(f, forever.certificate, forever.signKey));
    assert.equal(reasonOf(overlong, org.publicKey), "bad_certificate");
  });

  it("endorses a device made by createDevice and keeps its key packages decodable", async () => {
    const person = await makePerson("Anna");
    const device = endorseDevice(person.device, endorseByOrganisation(person.device.credential, org));
    assert.equal(reasonOf(device.credential, org.publicKey), "ok");
    assert.ok((await generateKeyPackageBundle(device)).keyPackage.length > 0);
  });

  it("decodes certificates strictly", () => {
    const bytes = encodeInvitationCertificate(certificate);
    assert.equal(bytes.length, 106);
    const decoded = decodeInvitationCertificate(bytes);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, certificate);
    const failure = (b: Uint8Array) => {
      const r = decodeInvitationCertificate(b);
      return r.ok ? "ok" : `${r.error.reason} ${r.error.field}`;
    };
    assert.equal(failure(new Uint8Array(0)), "empty invitationCertificate");
    assert.equal(failure(flipped(bytes, 0)), "unknown_version invitationCertificate.version");
    assert.equal(failure(bytes.subarray(0, 105)), "wrong_length invitationCertificate");
    assert.equal(failure(Uint8Array.of(...bytes, 0)), "trailing_bytes invitationCertificate");
    const badRole = bytes.slice();
    badRole[33] = 3;
    assert.equal(failure(badRole), "invalid_field invitationCertificate.role");
    const hugeExpiry = bytes.slice();
    hugeExpiry.fill(0xff, 34, 42);
    assert.equal(failure(hugeExpiry), "invalid_field invitationCertificate.expiresAtSeconds");
    // Inside a credential the path names the endorsement.
    const f = fields();
    const credentialBytes = encodeBoteCredential(endorsed(f, endorseByInvitation(f, certificate, signKey)));
    const roleAt = credentialBytes.length - 64 - 106 + 33;
    credentialBytes[roleAt] = 0;
    const r = decodeBoteCredential(credentialBytes);
    assert.ok(!r.ok && r.error.field === "credential.endorsement.invitationCertificate.role");
  });
});

describe("invitation link", () => {
  const org = createOrganisationKey();
  const serverJoinUrl = `https://bote.example.de/firma/join#t=${encodeBase64url(randomBytes(32))}`;
  const member = createInvitation(org, { role: "member", expiresAt: IN_A_WEEK });
  const admin = createInvitation(org, { role: "admin", expiresAt: IN_A_WEEK });
  const memberLink = formatInvitationLink(serverJoinUrl, {
    invitationSignKey: member.signKey,
    certificate: member.certificate,
    organisationPublicKey: org.publicKey,
  });
  const adminLink = formatInvitationLink(serverJoinUrl, {
    invitationSignKey: admin.signKey,
    certificate: admin.certificate,
    organisationPublicKey: org.publicKey,
    organisationSignKey: org.signKey,
  });
  const fieldOf = (url: string) => {
    const r = parseInvitationLink(url);
    return r.ok ? "ok" : r.error.field;
  };

  it("round-trips member and admin links; the secrets live only in the fragment", () => {
    const parsed = parseInvitationLink(memberLink);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.serverUrl, "https://bote.example.de/firma/");
    assert.equal(parsed.value.token, serverJoinUrl.split("#t=")[1]);
    assert.deepEqual(parsed.value.invitation, {
      invitationSignKey: member.signKey,
      certificate: member.certificate,
      organisationPublicKey: org.publicKey,
    });
    assert.ok(memberLink.startsWith(`${serverJoinUrl}&k=`));
    assert.equal(memberLink.split("#")[0], "https://bote.example.de/firma/join");

    const parsedAdmin = parseInvitationLink(adminLink);
    assert.ok(parsedAdmin.ok);
    assert.deepEqual(parsedAdmin.value.invitation?.organisationSignKey, org.signKey);
    assert.equal(parsedAdmin.value.invitation?.certificate.role, "admin");
  });

  it("carries a post-quantum organisation's ciphersuite, and nothing but that value", () => {
    const pqLink = formatInvitationLink(serverJoinUrl, {
      invitationSignKey: member.signKey,
      certificate: member.certificate,
      organisationPublicKey: org.publicKey,
      ciphersuite: POST_QUANTUM_CIPHERSUITE,
    });
    assert.ok(pqLink.endsWith("&m=pq"));
    const parsed = parseInvitationLink(pqLink);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.invitation?.ciphersuite, POST_QUANTUM_CIPHERSUITE);
    assert.equal(fieldOf(`${memberLink}&m=xwing`), "invitationLink.m");
    assert.equal(fieldOf(`${pqLink}&m=pq`), "invitationLink.m");
  });

  it("parses the first admin's bare link, and hosts with ports", () => {
    const bare = parseInvitationLink(serverJoinUrl);
    assert.ok(bare.ok);
    assert.equal(bare.value.invitation, undefined);
    const local = parseInvitationLink("http://127.0.0.1:8080/join#t=abc_-9");
    assert.ok(local.ok);
    assert.equal(local.value.serverUrl, "http://127.0.0.1:8080/");
  });

  it("refuses malformed and partial links with the path of the fault", () => {
    const [base, fragment] = memberLink.split("#") as [string, string];
    const params = fragment.split("&");
    const without = (name: string) => `${base}#${params.filter((p) => !p.startsWith(`${name}=`)).join("&")}`;
    const replaced = (name: string, value: string) =>
      `${base}#${params.map((p) => (p.startsWith(`${name}=`) ? `${name}=${value}` : p)).join("&")}`;
    assert.equal(fieldOf(""), "invitationLink");
    assert.equal(fieldOf("https://bote.example.de/join"), "invitationLink.fragment");
    assert.equal(fieldOf(memberLink.replace("/join#", "/joined#")), "invitationLink.url");
    assert.equal(fieldOf(memberLink.replace("/join#", "/join?x=1#")), "invitationLink.url");
    assert.equal(fieldOf(memberLink.replace("https://", "ftp://")), "invitationLink.url");
    assert.equal(fieldOf(without("t")), "invitationLink.t");
    assert.equal(fieldOf(without("k")), "invitationLink.k");
    assert.equal(fieldOf(without("c")), "invitationLink.c");
    assert.equal(fieldOf(without("o")), "invitationLink.o");
    assert.equal(fieldOf(`${memberLink}&x=1`), "invitationLink.fragment");
    assert.equal(fieldOf(`${memberLink}&o=${encodeBase64url(org.publicKey)}`), "invitationLink.o");
    assert.equal(fieldOf(`${memberLink}&`), "invitationLink.fragment");
    assert.equal(fieldOf(replaced("t", "a+b")), "invitationLink.t");
    assert.equal(fieldOf(replaced("k", "AAAA")), "invitationLink.k");
    assert.equal(fieldOf(replaced("k", "not base64!")), "invitationLink.k");
    assert.equal(fieldOf(replaced("k", encodeBase64url(randomBytes(32)))), "invitationLink.k");
    assert.equal(fieldOf(replaced("c", "")), "invitationLink.c");
    assert.equal(
      fieldOf(replaced("o", encodeBase64url(createOrganisationKey().publicKey))),
      "invitationLink.c.organisationSignature",
    );
    // The organisation key only in admin links, and only the one matching `o`.
    assert.equal(fieldOf(`${memberLink}&s=${encodeBase64url(org.signKey)}`), "invitationLink.s");
    const wrongS = adminLink.replace(/&s=[^&]+$/, `&s=${encodeBase64url(createOrganisationKey().signKey)}`);
    assert.equal(fieldOf(wrongS), "invitationLink.s");
    assert.equal(fieldOf(`${serverJoinUrl}&s=${encodeBase64url(org.signKey)}`), "invitationLink.k");
    assert.throws(
      () =>
        formatInvitationLink(serverJoinUrl, {
          invitationSignKey: member.signKey,
          certificate: member.certificate,
          organisationPublicKey: org.publicKey,
          organisationSignKey: org.signKey,
        }),
      RangeError,
    );
    assert.throws(
      () =>
        formatInvitationLink("https://bote.example.de/join", {
          invitationSignKey: member.signKey,
          certificate: member.certificate,
          organisationPublicKey: org.publicKey,
        }),
      RangeError,
    );
  });
});

describe("trust policy", () => {
  const org = createOrganisationKey();
  const decisions = new Map<string, "verified" | "unverified">();
  const key = (accountId: Uint8Array, devicePublicKey: Uint8Array) =>
    `${encodeBase64url(accountId)}/${encodeBase64url(devicePublicKey)}`;
  const contacts: ContactTrustLookup = {
    deviceTrust: (accountId, devicePublicKey) => Promise.resolve(decisions.get(key(accountId, devicePublicKey))),
  };
  const policy = createTrustPolicy({ organisationPublicKey: org.publicKey, contacts, now: () => NOW });
  const verdict = (c: BoteCredential) => policy.authenticate(c, c.devicePublicKey);

  it("accepts colleagues, verified and explicitly unverified contacts; refuses the rest with a reason", async () => {
    const colleague = fields("Anna");
    const invite = createInvitation(org, { role: "member", expiresAt: IN_A_WEEK });
    const newcomer = fields("Ben");
    assert.deepEqual(await verdict(endorsed(colleague, endorseByOrganisation(colleague, org))), {
      accepted: true,
      basis: "organisation",
    });
    assert.deepEqual(
      await verdict(endorsed(newcomer, endorseByInvitation(newcomer, invite.certificate, invite.signKey))),
      {
        accepted: true,
        basis: "organisation",
      },
    );

    const stranger = fields("Fremd");
    assert.deepEqual(await verdict(stranger), { accepted: false, reason: "not_endorsed" });
    const forged = endorsed(stranger, endorseByOrganisation(stranger, createOrganisationKey()));
    assert.deepEqual(await verdict(forged), { accepted: false, reason: "bad_endorsement" });

    decisions.set(key(stranger.accountId, stranger.devicePublicKey), "unverified");
    assert.deepEqual(await verdict(stranger), { accepted: true, basis: "unverified" });
    // Another organisation's member the user verified passes despite an endorsement that cannot verify here.
    decisions.set(key(stranger.accountId, stranger.devicePublicKey), "verified");
    assert.deepEqual(await verdict(forged), { accepted: true, basis: "verified" });
    // The decision was for one device key; a new key of the same account is refused.
    assert.deepEqual(await verdict({ ...stranger, devicePublicKey: new Uint8Array(randomBytes(32)) }), {
      accepted: false,
      reason: "not_endorsed",
    });

    const noOrg = createTrustPolicy({ organisationPublicKey: undefined, contacts });
    const c = endorsed(colleague, endorseByOrganisation(colleague, org));
    assert.deepEqual(await noOrg.authenticate(c, c.devicePublicKey), { accepted: false, reason: "unknown_contact" });
  });

  it("classifies a credential for the UI, flagging a known contact's new key", () => {
    const f = fields();
    const otherKey = new Uint8Array(randomBytes(32));
    assert.equal(classifyContact(endorsed(f, endorseByOrganisation(f, org)), org.publicKey, [], NOW), "colleague");
    assert.equal(classifyContact(f, org.publicKey, [], NOW), "stranger");
    assert.equal(classifyContact(f, undefined, [otherKey, f.devicePublicKey.slice()], NOW), "known");
    assert.equal(classifyContact(f, org.publicKey, [otherKey], NOW), "new_device_of_known_contact");
  });

  it("refuses a non-endorsed key package in a conversation with a typed error", async () => {
    const alice = await makePerson("Alice");
    const bob = await makePerson("Bob");
    const aliceDevice = endorseDevice(alice.device, endorseByOrganisation(alice.device.credential, org));
    const invite = createInvitation(org, { role: "member", expiresAt: IN_A_WEEK });
    const carolPerson = await makePerson("Carol");
    const carol = endorseDevice(
      carolPerson.device,
      endorseByInvitation(carolPerson.device.credential, invite.certificate, invite.signKey),
    );
    const conversation = await createConversation(aliceDevice, policy);
    await assert.rejects(
      addMembers(conversation, [bob.bundle.keyPackage], policy),
      (e: unknown) =>
        e instanceof ConversationError && e.code === "authentication_rejected" && e.message.includes("not_endorsed"),
    );
    const added = await addMembers(conversation, [(await generateKeyPackageBundle(carol)).keyPackage], policy);
    assert.ok(added.welcome.length > 0);
  });
});

describe("safety number", () => {
  const alice = { accountId: new Uint8Array(randomBytes(16)), devicePublicKey: new Uint8Array(randomBytes(32)) };
  const bob = { accountId: new Uint8Array(randomBytes(16)), devicePublicKey: new Uint8Array(randomBytes(32)) };

  it("is 60 digits in 12 groups of 5, the same on both sides", () => {
    const number = computeSafetyNumber(alice, bob);
    assert.match(number, /^\d{5}( \d{5}){11}$/);
    assert.equal(computeSafetyNumber(bob, alice), number);
  });

  it("changes when a device key changes", () => {
    const newKey = { ...bob, devicePublicKey: new Uint8Array(randomBytes(32)) };
    assert.notEqual(computeSafetyNumber(alice, newKey), computeSafetyNumber(alice, bob));
    const newAccount = { ...bob, accountId: new Uint8Array(randomBytes(16)) };
    assert.notEqual(computeSafetyNumber(alice, newAccount), computeSafetyNumber(alice, bob));
  });

  it("checks a scanned QR code against the pair it was made for", () => {
    const shownByBob = verificationQrPayload(bob, alice);
    assert.match(shownByBob, /^bote-verify:1:[A-Za-z0-9_-]{86}$/);
    assert.equal(checkVerificationQr(shownByBob, alice, bob), true);
    // Alice's own code, a code for another key and garbage are all refused.
    assert.equal(checkVerificationQr(verificationQrPayload(alice, bob), alice, bob), false);
    const mallory = { ...bob, devicePublicKey: new Uint8Array(randomBytes(32)) };
    assert.equal(checkVerificationQr(verificationQrPayload(mallory, alice), alice, bob), false);
    assert.equal(checkVerificationQr("bote-verify:1:", alice, bob), false);
    assert.equal(checkVerificationQr(`bote-verify:2:${shownByBob.slice(14)}`, alice, bob), false);
    assert.equal(checkVerificationQr(`${shownByBob}AA`, alice, bob), false);
  });
});

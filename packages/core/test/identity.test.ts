import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  addMembers,
  applyStatement,
  certifyAccount,
  certifyAccountByInvitation,
  certifyDevice,
  checkVerificationQr,
  computeSafetyNumber,
  ConversationError,
  createConversation,
  createDevice,
  createInvitation,
  createOrganisationView,
  createRecoveryKit,
  createRevocation,
  createSigningKey,
  createTrustPolicy,
  credentialFromCertificates,
  decodeOrganisationView,
  encodeOrganisationView,
  evaluateCredential,
  formatInvitationLink,
  formatRecoveryCode,
  generateKeyPackageBundle,
  generateSignatureKeyPair,
  DEFAULT_CIPHERSUITE,
  isInvitationExpired,
  openRecoveryKit,
  parseInvitationLink,
  parseRecoveryCode,
  POST_QUANTUM_CIPHERSUITE,
  rotateOrganisationKey,
  verificationQrPayload,
  type BoteCredential,
  type ContactTrustLookup,
  type OrganisationView,
  type SignatureKeyPair,
} from "@bote/core";
import { encodeBase64url, type InvitationCertificate, type Role } from "@bote/protocol";
import { makeMember, randomAddress } from "./support.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const IN_A_WEEK = new Date(NOW.getTime() + 7 * 24 * 3_600_000);
const LATER = new Date(NOW.getTime() + 8 * 24 * 3_600_000);
const id = () => new Uint8Array(randomBytes(16));

/** An organisation as an admin device sees it: its key, the admin's account id, its view. */
function organisation() {
  const key = createSigningKey();
  return { key, adminId: id(), view: createOrganisationView(key.publicKey) };
}

function invite(
  org: { key: SignatureKeyPair; adminId: Uint8Array },
  displayName: string,
  role: Role = "member",
  expiresAt = IN_A_WEEK,
) {
  return createInvitation(org.key, { accountId: id(), displayName, role }, { expiresAt, issuedBy: org.adminId });
}

/** The joining device's side of an invitation: an account key certified provisionally, one device. */
function redeem(invitation: { certificate: InvitationCertificate; signKey: Uint8Array }, now = NOW) {
  const accountKey = createSigningKey();
  const deviceKey = createSigningKey();
  const accountCertificate = certifyAccountByInvitation(
    invitation.certificate,
    invitation.signKey,
    accountKey.publicKey,
    now,
  );
  const credential = credentialFromCertificates(
    accountCertificate,
    certifyDevice(accountCertificate.accountId, accountKey, deviceKey.publicKey, now),
  );
  return { accountKey, deviceKey, accountCertificate, credential };
}

function verdictOf(view: OrganisationView, credential: BoteCredential, now = NOW) {
  const { verdict } = evaluateCredential(view, credential, now);
  return verdict.status === "unconfirmed" ? verdict.reason : verdict.status;
}

describe("certificate chain", () => {
  it("confirms an invited colleague on the chain organisation → invitation → account → device", () => {
    const org = organisation();
    const bernd = redeem(invite(org, "Bernd Bau"));
    const { view, verdict } = evaluateCredential(org.view, bernd.credential, NOW);
    assert.equal(verdict.status, "confirmed");
    assert.equal(view.accounts.size, 1, "the account key is remembered");
    // Direct certificate for the first admin.
    const annaKey = createSigningKey();
    const deviceKey = createSigningKey();
    const anna = credentialFromCertificates(
      certifyAccount(
        org.key,
        { accountId: org.adminId, displayName: "Anna Admin", role: "admin", accountKey: annaKey.publicKey },
        { issuedBy: org.adminId, now: NOW },
      ),
      certifyDevice(org.adminId, annaKey, deviceKey.publicKey, NOW),
    );
    assert.equal(verdictOf(org.view, anna), "confirmed");
  });

  it("an invitation key certifies no other account id, role or name than its invitation names", () => {
    const org = organisation();
    const used = invite(org, "Bernd Bau");
    // The attack of the review: a used member link signs {the admin's account id, "Anna Admin", attacker key}.
    const forged = { ...used.certificate, accountId: org.adminId, displayName: "Anna Admin", role: "admin" as const };
    const attacker = redeem({ certificate: forged, signKey: used.signKey });
    assert.equal(
      verdictOf(org.view, attacker.credential),
      "bad_signature",
      "a changed invitation breaks its signature",
    );
    // Signing over the real invitation but claiming other fields in the account certificate.
    for (const claim of [{ accountId: org.adminId }, { role: "admin" as const }, { displayName: "Anna Admin" }]) {
      const accountKey = createSigningKey();
      const real = certifyAccountByInvitation(used.certificate, used.signKey, accountKey.publicKey, NOW);
      const tampered = { ...real, ...claim };
      const { signature } = certifyAccountByInvitation(
        { ...used.certificate, ...claim },
        used.signKey,
        accountKey.publicKey,
        NOW,
      );
      const resigned = { ...tampered, issuer: real.issuer, signature };
      const deviceKey = createSigningKey();
      const credential = credentialFromCertificates(
        resigned,
        certifyDevice(resigned.accountId, accountKey, deviceKey.publicKey, NOW),
      );
      assert.equal(verdictOf(org.view, credential), "invitation_mismatch", JSON.stringify(Object.keys(claim)));
    }
  });

  it("an expired invitation certifies nothing a client accepts", () => {
    const org = organisation();
    const invitation = invite(org, "Bernd Bau");
    const bernd = redeem(invitation, NOW);
    assert.equal(verdictOf(org.view, bernd.credential, LATER), "invitation_expired");
    assert.equal(isInvitationExpired(invitation.certificate, LATER), true);
    assert.equal(isInvitationExpired(invitation.certificate, NOW), false);
    // An overlong invitation is refused even before it expires.
    const overlong = invite(org, "Eve", "member", new Date(NOW.getTime() + 40 * 24 * 3_600_000));
    assert.equal(verdictOf(org.view, redeem(overlong).credential), "invitation_too_long");
  });

  it("accepts one account key per invitation and per account; a second one is a key change", () => {
    const org = organisation();
    const invitation = invite(org, "Bernd Bau");
    const first = redeem(invitation);
    const { view } = evaluateCredential(org.view, first.credential, NOW);
    const second = redeem(invitation);
    const after = evaluateCredential(view, second.credential, NOW);
    assert.deepEqual(after.verdict, { status: "unconfirmed", reason: "key_changed" });
    assert.equal(
      after.view.keyChanges.get(encodeBase64url(invitation.certificate.accountId)),
      encodeBase64url(second.accountKey.publicKey),
    );
    // Even an org-signed certificate for another key of a known account is a key change, not trusted silently.
    const otherKey = createSigningKey();
    const deviceKey = createSigningKey();
    const direct = credentialFromCertificates(
      certifyAccount(
        org.key,
        {
          accountId: invitation.certificate.accountId,
          displayName: "Bernd Bau",
          role: "member",
          accountKey: otherKey.publicKey,
        },
        { issuedBy: org.adminId, now: NOW },
      ),
      certifyDevice(invitation.certificate.accountId, otherKey, deviceKey.publicKey, NOW),
    );
    assert.equal(verdictOf(view, direct), "key_changed");
    // The first key's second device (certified by the same account key) is the same person: confirmed.
    const phone = createSigningKey();
    const phoneCredential = credentialFromCertificates(
      first.accountCertificate,
      certifyDevice(first.accountCertificate.accountId, first.accountKey, phone.publicKey, NOW),
    );
    assert.equal(verdictOf(view, phoneCredential), "confirmed");
  });

  it("refuses a device certificate by a key that is not the account's", () => {
    const org = organisation();
    const bernd = redeem(invite(org, "Bernd Bau"));
    const planted = createSigningKey();
    const stranger = createSigningKey();
    const credential = credentialFromCertificates(bernd.accountCertificate, {
      ...certifyDevice(bernd.accountCertificate.accountId, stranger, planted.publicKey, NOW),
      accountKey: bernd.accountKey.publicKey,
    });
    assert.equal(verdictOf(org.view, credential), "bad_device_certificate");
  });

  it("a direct certificate replaces the provisional one, a newer one renames and promotes", () => {
    const org = organisation();
    const invitation = invite(org, "Bernd Bau");
    const bernd = redeem(invitation);
    let view = evaluateCredential(org.view, bernd.credential, NOW).view;
    const fields = { accountId: invitation.certificate.accountId, accountKey: bernd.accountKey.publicKey };
    const direct = certifyAccount(
      org.key,
      { ...fields, displayName: "Bernd Bau", role: "member" },
      { issuedBy: org.adminId, now: NOW },
    );
    view = applyStatement(view, { kind: "account", certificate: direct }, NOW).view;
    const entry = () => view.accounts.get(encodeBase64url(fields.accountId))!.certificate;
    assert.equal(entry().issuer.kind, "organisation");
    const promoted = certifyAccount(
      org.key,
      { ...fields, displayName: "Bernd B.", role: "admin" },
      { issuedBy: org.adminId, now: LATER },
    );
    view = applyStatement(view, { kind: "account", certificate: promoted }, LATER).view;
    assert.equal(entry().role, "admin");
    assert.equal(entry().displayName, "Bernd B.");
    // Replaying the older certificate changes nothing.
    view = applyStatement(view, { kind: "account", certificate: direct }, LATER).view;
    assert.equal(entry().role, "admin");
  });

  it("after a rotation, a former admin's old key certifies nobody", () => {
    const org = organisation();
    const bernd = redeem(invite(org, "Bernd Bau"));
    let view = evaluateCredential(org.view, bernd.credential, NOW).view;
    const { next, rotation } = rotateOrganisationKey(org.key, { issuedBy: org.adminId, now: NOW });
    const rotated = applyStatement(view, { kind: "rotation", rotation }, NOW);
    assert.equal(rotated.fault, undefined);
    view = rotated.view;
    assert.deepEqual(view.currentKey, next.publicKey);
    // The former admin kept the old key: a direct certificate and a new invitation by it are refused.
    const old = { key: org.key, adminId: id() };
    const eveKey = createSigningKey();
    const eveDevice = createSigningKey();
    const eveId = id();
    const eve = credentialFromCertificates(
      certifyAccount(
        old.key,
        { accountId: eveId, displayName: "Eve", role: "admin", accountKey: eveKey.publicKey },
        { issuedBy: old.adminId, now: NOW },
      ),
      certifyDevice(eveId, eveKey, eveDevice.publicKey, NOW),
    );
    assert.equal(verdictOf(view, eve), "wrong_organisation_key");
    assert.equal(verdictOf(view, redeem(invite(old, "Mallory")).credential), "wrong_organisation_key");
    // A revocation or a second rotation by the old key is refused too.
    const revocation = createRevocation(
      org.key,
      { kind: "account", accountId: bernd.accountCertificate.accountId },
      { issuedBy: old.adminId, now: NOW },
    );
    assert.equal(applyStatement(view, { kind: "revocation", revocation }, NOW).fault, "wrong_organisation_key");
    const again = rotateOrganisationKey(org.key, { issuedBy: old.adminId, now: NOW });
    assert.equal(
      applyStatement(view, { kind: "rotation", rotation: again.rotation }, NOW).fault,
      "wrong_organisation_key",
    );
    // Bernd, accepted before, stays confirmed; the new key certifies newcomers.
    assert.equal(verdictOf(view, bernd.credential), "confirmed");
    assert.equal(verdictOf(view, redeem(invite({ key: next, adminId: org.adminId }, "Carla")).credential), "confirmed");
    // A rotation signed only by the old key (the next key's signature forged) is refused.
    const half = { ...again.rotation, previousKey: next.publicKey };
    assert.equal(applyStatement(view, { kind: "rotation", rotation: half }, NOW).fault, "bad_signature");
  });

  it("a revoked account or device is never confirmed", () => {
    const org = organisation();
    const carla = redeem(invite(org, "Carla"));
    let view = evaluateCredential(org.view, carla.credential, NOW).view;
    const deviceRevocation = createRevocation(
      org.key,
      { kind: "device", accountId: carla.accountCertificate.accountId, deviceKey: carla.deviceKey.publicKey },
      { issuedBy: org.adminId, now: NOW },
    );
    view = applyStatement(view, { kind: "revocation", revocation: deviceRevocation }, NOW).view;
    assert.equal(verdictOf(view, carla.credential), "revoked");
    const revocation = createRevocation(
      org.key,
      { kind: "account", accountId: carla.accountCertificate.accountId },
      { issuedBy: org.adminId, now: NOW },
    );
    view = applyStatement(view, { kind: "revocation", revocation }, NOW).view;
    const phone = createSigningKey();
    const phoneCredential = credentialFromCertificates(
      carla.accountCertificate,
      certifyDevice(carla.accountCertificate.accountId, carla.accountKey, phone.publicKey, NOW),
    );
    assert.equal(verdictOf(view, phoneCredential), "revoked");
    // A revoked invitation certifies nothing.
    const invitation = invite(org, "Dora");
    const revokedInvitation = createRevocation(
      org.key,
      { kind: "invitation", invitationKey: invitation.certificate.invitationKey },
      { issuedBy: org.adminId, now: NOW },
    );
    view = applyStatement(view, { kind: "revocation", revocation: revokedInvitation }, NOW).view;
    assert.equal(verdictOf(view, redeem(invitation).credential), "revoked");
  });

  it("stores and restores the view exactly; a damaged record fails closed", () => {
    const org = organisation();
    const bernd = redeem(invite(org, "Bernd Bau"));
    let view = evaluateCredential(org.view, bernd.credential, NOW).view;
    view = applyStatement(
      view,
      { kind: "rotation", rotation: rotateOrganisationKey(org.key, { issuedBy: org.adminId, now: NOW }).rotation },
      NOW,
    ).view;
    const restored = decodeOrganisationView(encodeOrganisationView(view));
    assert.deepEqual(restored, view);
    const bytes = encodeOrganisationView(view);
    assert.throws(() => decodeOrganisationView(bytes.subarray(0, 20)));
    assert.throws(
      () => decodeOrganisationView(new TextEncoder().encode('{"v":1,"logSeq":0,"accounts":["!!"]}')),
      RangeError,
    );
  });
});

describe("invitation link", () => {
  const org = organisation();
  const serverJoinUrl = `https://bote.example.de/firma/join#t=${encodeBase64url(randomBytes(32))}`;
  const member = invite(org, "Bernd Bau");
  const memberLink = formatInvitationLink(serverJoinUrl, {
    invitationSignKey: member.signKey,
    certificate: member.certificate,
  });
  const fieldOf = (url: string) => {
    const r = parseInvitationLink(url);
    return r.ok ? "ok" : r.error.field;
  };

  it("round-trips a link; the invitation's secret lives only in the fragment, the organisation key never", () => {
    const parsed = parseInvitationLink(memberLink);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.serverUrl, "https://bote.example.de/firma/");
    assert.equal(parsed.value.token, serverJoinUrl.split("#t=")[1]);
    assert.deepEqual(parsed.value.invitation, { invitationSignKey: member.signKey, certificate: member.certificate });
    assert.equal(memberLink.split("#")[0], "https://bote.example.de/firma/join");
    const admin = invite(org, "Zweite Admin", "admin");
    const adminLink = formatInvitationLink(serverJoinUrl, {
      invitationSignKey: admin.signKey,
      certificate: admin.certificate,
    });
    for (const link of [memberLink, adminLink]) {
      assert.ok(!link.includes(encodeBase64url(org.key.signKey)), "no organisation private key in any link");
    }
  });

  it("carries a post-quantum organisation's ciphersuite, and nothing but that value", () => {
    const pqLink = formatInvitationLink(serverJoinUrl, {
      invitationSignKey: member.signKey,
      certificate: member.certificate,
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

  it("refuses malformed, partial and old-format links with the path of the fault", () => {
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
    assert.equal(fieldOf(`${memberLink}&x=1`), "invitationLink.fragment");
    assert.equal(fieldOf(`${memberLink}&`), "invitationLink.fragment");
    assert.equal(fieldOf(replaced("t", "a+b")), "invitationLink.t");
    assert.equal(fieldOf(replaced("k", "AAAA")), "invitationLink.k");
    assert.equal(fieldOf(replaced("k", "not base64!")), "invitationLink.k");
    assert.equal(fieldOf(replaced("k", encodeBase64url(randomBytes(32)))), "invitationLink.k");
    assert.equal(fieldOf(replaced("c", "")), "invitationLink.c");
    // A certificate whose signature does not hold under its own organisation key.
    const other = invite(organisation(), "Bernd Bau");
    const forged = { ...member.certificate, signature: other.certificate.signature };
    assert.equal(
      fieldOf(formatInvitationLink(serverJoinUrl, { invitationSignKey: member.signKey, certificate: forged })),
      "invitationLink.c.signature",
    );
    // The old format's organisation keys (`o`, and `s` in admin links) are no parameters any more.
    assert.equal(fieldOf(`${memberLink}&o=${encodeBase64url(org.key.publicKey)}`), "invitationLink.fragment");
    assert.equal(fieldOf(`${memberLink}&s=${encodeBase64url(org.key.signKey)}`), "invitationLink.fragment");
    assert.throws(
      () =>
        formatInvitationLink("https://bote.example.de/join", {
          invitationSignKey: member.signKey,
          certificate: member.certificate,
        }),
      RangeError,
    );
  });
});

describe("trust policy", () => {
  const decisions = new Map<string, "verified" | "unverified">();
  const contacts: ContactTrustLookup = {
    deviceTrust: (_accountId, key) => Promise.resolve(decisions.get(encodeBase64url(key))),
  };
  function policyFor(initial: OrganisationView) {
    let view = initial;
    return {
      view: () => view,
      policy: createTrustPolicy({
        organisation: { current: () => view, update: (next) => Promise.resolve(void (view = next)) },
        contacts,
        now: () => NOW,
      }),
    };
  }

  it("accepts colleagues on the chain, then verified or explicitly accepted devices; never a revoked one", async () => {
    const org = organisation();
    const { policy, view } = policyFor(org.view);
    const bernd = redeem(invite(org, "Bernd Bau"));
    assert.deepEqual(await policy.authenticate(bernd.credential, bernd.deviceKey.publicKey), {
      accepted: true,
      basis: "organisation",
    });
    assert.equal(view().accounts.size, 1, "the policy remembers the account key it accepted");
    const outsider = redeem(invite(organisation(), "Olaf Extern"));
    assert.deepEqual(await policy.authenticate(outsider.credential, outsider.deviceKey.publicKey), {
      accepted: false,
      reason: "bad_endorsement",
    });
    decisions.set(encodeBase64url(outsider.deviceKey.publicKey), "verified");
    assert.deepEqual(await policy.authenticate(outsider.credential, outsider.deviceKey.publicKey), {
      accepted: true,
      basis: "verified",
    });
    const planted = redeem(invite(org, "Bernd Bau"));
    const plantedForBernd = credentialFromCertificates(
      { ...planted.accountCertificate, accountId: bernd.accountCertificate.accountId },
      certifyDevice(bernd.accountCertificate.accountId, planted.accountKey, planted.deviceKey.publicKey, NOW),
    );
    assert.equal((await policy.authenticate(plantedForBernd, planted.deviceKey.publicKey)).accepted, false);
    decisions.set(encodeBase64url(bernd.deviceKey.publicKey), "verified");
    const revocation = createRevocation(
      org.key,
      { kind: "account", accountId: bernd.accountCertificate.accountId },
      { issuedBy: org.adminId, now: NOW },
    );
    const revoked = policyFor(applyStatement(view(), { kind: "revocation", revocation }, NOW).view);
    assert.deepEqual(await revoked.policy.authenticate(bernd.credential, bernd.deviceKey.publicKey), {
      accepted: false,
      reason: "revoked",
    });
  });

  it("keeps a planted device of a known colleague out of a new group, with key_changed", async () => {
    const org = organisation();
    const anna = await makeMember("Anna Admin", { organisation: org, role: "admin", accountId: org.adminId });
    const { policy } = policyFor(org.view);
    const conversation = await createConversation(anna.device, policy);
    const bernd = await makeMember("Bernd Bau", { organisation: org });
    await addMembers(conversation, [bernd.bundle.keyPackage], policy);
    // The server plants a device under Bernd's account id with an account key of its own.
    const plantedKey = createSigningKey();
    const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
    const accountId = bernd.device.credential.accountId;
    const plantedDevice = createDevice({
      signatureKeyPair,
      accountCertificate: { ...bernd.device.credential.accountCertificate, accountKey: plantedKey.publicKey },
      deviceCertificate: certifyDevice(accountId, plantedKey, signatureKeyPair.publicKey, NOW),
      deliveryAddress: randomAddress(),
    });
    const planted = await generateKeyPackageBundle(plantedDevice);
    await assert.rejects(
      addMembers(conversation, [planted.keyPackage], policy),
      (e: unknown) =>
        e instanceof ConversationError && e.code === "authentication_rejected" && e.message.includes("key_changed"),
    );
  });
});

describe("recovery kit", () => {
  const org = createSigningKey();

  it("seals the organisation key under a passphrase; a wrong one or a changed file opens nothing", async () => {
    const kit = await createRecoveryKit(org.signKey, "Dachdecker 2026 Stuttgart", { cost: 2 ** 10 });
    const file = JSON.parse(JSON.stringify(kit)) as unknown;
    assert.deepEqual(await openRecoveryKit(file, "Dachdecker 2026 Stuttgart"), org.signKey);
    assert.equal(await openRecoveryKit(file, "Dachdecker 2026 Stuttgart!"), undefined);
    assert.equal(
      await openRecoveryKit(
        { ...kit, organisationKey: encodeBase64url(createSigningKey().publicKey) },
        "Dachdecker 2026 Stuttgart",
      ),
      undefined,
    );
    assert.ok(!JSON.stringify(kit).includes(encodeBase64url(org.signKey)));
    await assert.rejects(openRecoveryKit({ hello: 1 }, "x"), RangeError);
    await assert.rejects(createRecoveryKit(org.signKey, "kurz"), RangeError);
  });

  it("prints the key as a code that survives case, dashes and look-alike letters, and catches a typo", () => {
    const code = formatRecoveryCode(org.signKey);
    assert.match(code, /^([0-9A-HJKMNP-TV-Z]{4}-){13}[0-9A-HJKMNP-TV-Z]{3}$/);
    assert.deepEqual(parseRecoveryCode(code.toLowerCase().replace(/-/g, " ")), org.signKey);
    assert.deepEqual(parseRecoveryCode(code.replace(/1/g, "l").replace(/0/g, "O")), org.signKey);
    const typo = code.slice(0, 5) + (code[5] === "A" ? "B" : "A") + code.slice(6);
    assert.equal(parseRecoveryCode(typo), undefined);
    assert.equal(parseRecoveryCode("ABCD"), undefined);
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

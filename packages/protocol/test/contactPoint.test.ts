import { it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import {
  accountCertificateBody,
  checkAccountCertificate,
  checkContactPoint,
  checkGuestCertificate,
  contactPointBody,
  decodeAccountCertificate,
  decodeContactPoint,
  decodeOrganisationStatement,
  encodeAccountCertificate,
  encodeContactPoint,
  encodeOrganisationStatement,
  signedMessage,
  STATEMENT_LABELS,
  type AccountCertificate,
  type ContactPoint,
} from "@bote/protocol";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

function keyPair(): { publicKey: Uint8Array; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { publicKey: new Uint8Array(raw), privateKey };
}

const verifyEd25519 = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]);
  try {
    return verify(null, message, { key: der, format: "der", type: "spki" }, signature);
  } catch {
    return false;
  }
};

const org = keyPair();

function contactPoint(overrides: Partial<ContactPoint> = {}): ContactPoint {
  const unsigned = {
    organisationKey: org.publicKey,
    contactPointId: bytes(16),
    slug: "dach-schmidt",
    open: true,
    name: "Dachdecker Schmidt",
    staff: [bytes(16), bytes(16)],
    greeting: "Schicken Sie uns Fotos vom Schaden.",
    openingHours: "Mo–Fr 7–17 Uhr",
    privacyText: "Wir verarbeiten Ihre Angaben nur für Ihre Anfrage.",
    requiredFields: ["name", "phone"] as const,
    retentionDays: 90,
    issuedAtSeconds: 1_780_000_000,
    issuedBy: bytes(16),
    ...overrides,
  };
  const body = contactPointBody(unsigned);
  const signature = new Uint8Array(sign(null, signedMessage(STATEMENT_LABELS.contactPoint, body), org.privateKey));
  return { ...unsigned, signature };
}

it("round-trips a contact point, alone and as a statement of the organisation's log", () => {
  const c = contactPoint();
  const decoded = decodeContactPoint(encodeContactPoint(c));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, c);
  const logged = decodeOrganisationStatement(encodeOrganisationStatement({ kind: "contactPoint", contactPoint: c }));
  assert.ok(logged.ok && logged.value.kind === "contactPoint");
  assert.equal(checkContactPoint(c, org.publicKey, verifyEd25519), undefined);
});

it("refuses a forged or foreign contact point and a slug that is not one", () => {
  const c = contactPoint();
  assert.equal(checkContactPoint({ ...c, staff: [bytes(16)] }, org.publicKey, verifyEd25519), "bad_signature");
  assert.equal(checkContactPoint(c, keyPair().publicKey, verifyEd25519), "wrong_organisation_key");
  for (const slug of ["ab", "Dach", "dach--schmidt", "-dach", "dach-", "dach schmidt", "x".repeat(41)]) {
    assert.throws(() => contactPoint({ slug }), RangeError, slug);
  }
  const encoded = encodeContactPoint(c);
  const tampered = encoded.slice();
  tampered[1 + 32 + 16 + 2] = 0x41; // the slug's first letter, upper-case
  assert.deepEqual(decodeContactPoint(tampered), { ok: false, field: "contactPoint.slug" });
  assert.equal(decodeContactPoint(encoded.subarray(0, encoded.length - 1)).ok, false);
});

it("a guest's self-signed account certificate is never an organisation member's", () => {
  const contactPointId = bytes(16);
  const guest = keyPair();
  const unsigned: Omit<AccountCertificate, "signature"> = {
    organisationKey: org.publicKey,
    accountId: bytes(16),
    accountKey: guest.publicKey,
    role: "member",
    displayName: "Kundin Meier",
    issuedAtSeconds: 1_780_000_000,
    issuer: { kind: "guest", contactPointId },
  };
  const message = signedMessage(STATEMENT_LABELS.account, accountCertificateBody(unsigned));
  const certificate = { ...unsigned, signature: new Uint8Array(sign(null, message, guest.privateKey)) };
  const decoded = decodeAccountCertificate(encodeAccountCertificate(certificate));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, certificate);
  assert.equal(checkAccountCertificate(certificate, org.publicKey, 1_780_000_000, verifyEd25519), "guest_certificate");
  assert.equal(checkGuestCertificate(certificate, org.publicKey, contactPointId, verifyEd25519), undefined);
  assert.equal(checkGuestCertificate(certificate, org.publicKey, bytes(16), verifyEd25519), "guest_certificate");
  assert.equal(
    checkGuestCertificate({ ...certificate, displayName: "Chef" }, org.publicKey, contactPointId, verifyEd25519),
    "bad_signature",
  );
  assert.throws(() => accountCertificateBody({ ...unsigned, role: "admin" }), RangeError);
});

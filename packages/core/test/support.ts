// Test helpers. `acceptAllForTests` lives only here: production code must
// always supply a real authentication port.
import { randomBytes } from "node:crypto";
import {
  certifyAccount,
  certifyDevice,
  createDevice,
  credentialFromCertificates,
  type BoteCredential,
  createSigningKey,
  DEFAULT_CIPHERSUITE,
  generateKeyPackageBundle,
  generateSignatureKeyPair,
  type SignatureKeyPair,
  type AuthenticationPort,
  type BoteCiphersuiteName,
  type DeliveryAddress,
  type Device,
  type KeyPackageBundle,
} from "@bote/core";
import type { Role } from "@bote/protocol";

export const acceptAllForTests: AuthenticationPort = {
  authenticate: () => Promise.resolve({ accepted: true, basis: "verified" }),
};

export function randomAddress(): DeliveryAddress {
  return { mailboxId: new Uint8Array(randomBytes(16)), capability: new Uint8Array(randomBytes(33)) };
}

export interface TestPerson {
  readonly device: Device;
  readonly bundle: KeyPackageBundle;
  readonly accountKey: SignatureKeyPair;
}

/** One organisation for the tests that need a chain but do not look at it. */
export const testOrganisation = { key: createSigningKey(), adminId: new Uint8Array(randomBytes(16)) };

/** A device of a new account, certified directly by `organisation`. */
export async function makeMember(
  displayName: string,
  options: {
    readonly organisation?: { key: SignatureKeyPair; adminId: Uint8Array };
    readonly role?: Role;
    readonly ciphersuite?: BoteCiphersuiteName;
    readonly accountId?: Uint8Array;
    readonly accountKey?: SignatureKeyPair;
  } = {},
): Promise<TestPerson> {
  const organisation = options.organisation ?? testOrganisation;
  const ciphersuite = options.ciphersuite;
  const accountKey = options.accountKey ?? createSigningKey();
  const accountId = options.accountId ?? new Uint8Array(randomBytes(16));
  const signatureKeyPair = await generateSignatureKeyPair(ciphersuite ?? DEFAULT_CIPHERSUITE);
  const now = new Date();
  const accountCertificate = certifyAccount(
    organisation.key,
    { accountId, displayName, role: options.role ?? "member", accountKey: accountKey.publicKey },
    { issuedBy: organisation.adminId, now },
  );
  const device = createDevice({
    signatureKeyPair,
    accountCertificate,
    deviceCertificate: certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, now),
    deliveryAddress: randomAddress(),
    ...(ciphersuite === undefined ? {} : { ciphersuite }),
  });
  return { device, bundle: await generateKeyPackageBundle(device), accountKey };
}

/** A credential of a new account of the test organisation, for a device key made elsewhere. */
export function certifiedCredential(displayName: string, deviceKey: Uint8Array): BoteCredential {
  const accountKey = createSigningKey();
  const accountId = new Uint8Array(randomBytes(16));
  const now = new Date();
  return credentialFromCertificates(
    certifyAccount(
      testOrganisation.key,
      { accountId, displayName, role: "member", accountKey: accountKey.publicKey },
      { issuedBy: testOrganisation.adminId, now },
    ),
    certifyDevice(accountId, accountKey, deviceKey, now),
  );
}

export async function makePerson(displayName: string, ciphersuite?: BoteCiphersuiteName): Promise<TestPerson> {
  return makeMember(displayName, ciphersuite === undefined ? {} : { ciphersuite });
}

export const text = (s: string) => new TextEncoder().encode(s);
export const untext = (b: Uint8Array) => new TextDecoder().decode(b);

// Test helpers. `acceptAllForTests` lives only here: production code must
// always supply a real authentication port.
import { randomBytes } from "node:crypto";
import {
  createDevice,
  generateKeyPackageBundle,
  type AuthenticationPort,
  type BoteCiphersuiteName,
  type DeliveryAddress,
  type Device,
  type KeyPackageBundle,
} from "@bote/core";

export const acceptAllForTests: AuthenticationPort = {
  authenticate: () => Promise.resolve({ accepted: true, basis: "verified" }),
};

export function randomAddress(): DeliveryAddress {
  return { mailboxId: new Uint8Array(randomBytes(16)), capability: new Uint8Array(randomBytes(33)) };
}

export interface TestPerson {
  readonly device: Device;
  readonly bundle: KeyPackageBundle;
}

export async function makePerson(displayName: string, ciphersuite?: BoteCiphersuiteName): Promise<TestPerson> {
  const device = await createDevice({
    accountId: new Uint8Array(randomBytes(16)),
    displayName,
    deliveryAddress: randomAddress(),
    ...(ciphersuite === undefined ? {} : { ciphersuite }),
  });
  return { device, bundle: await generateKeyPackageBundle(device) };
}

export const text = (s: string) => new TextEncoder().encode(s);
export const untext = (b: Uint8Array) => new TextDecoder().decode(b);

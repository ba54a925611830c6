/**
 * Safety numbers and the person's choice about a key: the SDK calls of the
 * verification screen. Name and key come from the organisation's verified
 * certificate where there is one.
 */
import { loadQrCode } from "./qrCode.js";
import { computeSafetyNumber, verificationQrPayload } from "./loadedSdk.js";
import { bytesFrom } from "@bote/client/light";
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { contacts, dismissContactNotice, refreshContacts, requireClient, showToast } from "./session.js";

export interface KeyView {
  devicePublicKey: string;
  number: string;
  qr: string;
}

export interface SafetyNumbers {
  /** The certificate's name when the organisation confirmed the account, the contact's otherwise. */
  readonly displayName: string | undefined;
  readonly keys: readonly KeyView[];
}

/** The safety numbers with a person's devices; undefined (and a toast) when they could not be read. */
export function loadSafetyNumbers(accountId: string): Promise<SafetyNumbers | undefined> {
  return runAction("safetyNumbers", () => safetyNumbers(accountId));
}

async function safetyNumbers(accountId: string): Promise<SafetyNumbers> {
  const client = requireClient();
  const contact = contacts.value.get(accountId);
  const entry = (await client.directory()).find((e) => e.member.accountId === accountId);
  const devices = contact?.devices.map((d) => d.devicePublicKey) ?? entry?.member.devices.map((d) => d.publicKey) ?? [];
  const own = {
    accountId: bytesFrom(client.profile.accountId, "accountId"),
    devicePublicKey: client.device.signatureKeyPair.publicKey,
  };
  const keys: KeyView[] = [];
  for (const key of devices) {
    const other = { accountId: bytesFrom(accountId, "accountId"), devicePublicKey: bytesFrom(key, "devicePublicKey") };
    keys.push({
      devicePublicKey: key,
      number: computeSafetyNumber(own, other),
      qr: await (
        await loadQrCode()
      ).toDataURL(verificationQrPayload(own, other), {
        margin: 1,
        width: 240,
        errorCorrectionLevel: "M",
      }),
    });
  }
  const displayName = entry?.confirmed === true ? entry.displayName : (contact?.displayName ?? entry?.displayName);
  return { displayName, keys };
}

/** Marks a device key verified (numbers compared) or accepted unverified; the key-change notice goes. */
export async function markKey(
  accountId: string,
  displayName: string,
  devicePublicKey: string,
  level: "verified" | "unverified",
): Promise<void> {
  await runAction("trust", async () => {
    const client = requireClient();
    if (contacts.value.get(accountId) === undefined) {
      await client.store.apply({
        contacts: [{ accountId, displayName, devices: [{ devicePublicKey, trust: level, firstSeenAt: Date.now() }] }],
      });
    } else await client.setTrust(accountId, devicePublicKey, level);
    await refreshContacts();
    dismissContactNotice(accountId);
    showToast(
      level === "verified"
        ? t("trust.markedVerified", { name: displayName })
        : t("trust.markedAccepted", { name: displayName }),
    );
  });
}

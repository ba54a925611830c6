import { useEffect, useState } from "preact/hooks";
import QRCode from "qrcode";
import { computeSafetyNumber, verificationQrPayload } from "@bote/core";
import type { Member } from "@bote/protocol";
import { bytesFrom } from "@bote/client";
import { t } from "../i18n/i18n.js";
import { contacts, errorText, keyChanges, refreshContacts, requireClient, showToast } from "../state/session.js";
import { Icon } from "./icons.js";
import { trustOf } from "./trust.js";

interface KeyView {
  devicePublicKey: string;
  number: string;
  qr: string;
}

/**
 * Colleagues whose device the organisation signed show as verified. For
 * anyone else: the safety number and its QR code to compare in person, and
 * the choice to mark the key verified or to accept it unverified.
 */
export function Verify({ accountId }: { accountId: string }) {
  const contact = contacts.value.get(accountId);
  const [member, setMember] = useState<Member | undefined>();
  const [keys, setKeys] = useState<KeyView[]>([]);
  const trust = trustOf(contact);
  useEffect(() => {
    void (async () => {
      const client = requireClient();
      const entry = (await client.directory()).find((e) => e.member.accountId === accountId);
      setMember(entry?.member);
      const devices =
        contact?.devices.map((d) => d.devicePublicKey) ?? entry?.member.devices.map((d) => d.publicKey) ?? [];
      const own = {
        accountId: bytesFrom(client.profile.accountId, "accountId"),
        devicePublicKey: client.device.signatureKeyPair.publicKey,
      };
      const views = [];
      for (const key of devices) {
        const other = {
          accountId: bytesFrom(accountId, "accountId"),
          devicePublicKey: bytesFrom(key, "devicePublicKey"),
        };
        const payload = verificationQrPayload(own, other);
        views.push({
          devicePublicKey: key,
          number: computeSafetyNumber(own, other),
          qr: await QRCode.toDataURL(payload, { margin: 1, width: 240, errorCorrectionLevel: "M" }),
        });
      }
      setKeys(views);
    })().catch((err: unknown) => showToast(errorText(err)));
  }, [accountId, contact?.devices.length]);

  const name = contact?.displayName ?? member?.displayName ?? "";
  const mark = async (key: string, level: "verified" | "unverified") => {
    try {
      if (contact === undefined) {
        await requireClient().store.apply({
          contacts: [
            {
              accountId,
              displayName: name,
              devices: [{ devicePublicKey: key, trust: level, firstSeenAt: Date.now() }],
            },
          ],
        });
      } else await requireClient().setTrust(accountId, key, level);
      await refreshContacts();
      const next = new Set(keyChanges.value);
      next.delete(accountId);
      keyChanges.value = next;
      showToast(level === "verified" ? t("trust.markedVerified", { name }) : t("trust.markedAccepted", { name }));
    } catch (err) {
      showToast(errorText(err));
    }
  };
  return (
    <section class="info" aria-labelledby="verify-title">
      <header class="bar">
        <button class="icon-button back" onClick={() => history.back()} aria-label={t("common.back")}>
          <Icon name="back" />
        </button>
        <h2 id="verify-title" class="bar-title">
          {t("trust.title")}
        </h2>
      </header>
      <div class="info-body">
        <p class={`trust-summary trust-${trust}`}>
          <Icon name={trust === "organisation" || trust === "verified" ? "shieldCheck" : "shield"} />
          {trust === "organisation"
            ? t("trust.byOrganisation", { name })
            : trust === "verified"
              ? t("trust.byYou", { name })
              : trust === "unverified"
                ? t("trust.acceptedUnverified", { name })
                : t("trust.notYetVerified", { name })}
        </p>
        {keyChanges.value.has(accountId) && (
          <p class="warning" role="alert">
            <Icon name="warning" size={18} />
            {t("trust.keyChanged", { name })}
          </p>
        )}
        <p>{t("trust.compareHint", { name })}</p>
        {keys.map((k) => (
          <div class="safety" key={k.devicePublicKey}>
            <p class="safety-number" aria-label={t("trust.safetyNumber")}>
              {k.number.split(" ").map((group, i) => (
                <span key={i}>{group}</span>
              ))}
            </p>
            <img class="qr" src={k.qr} alt={t("trust.qrAlt", { name })} width={240} height={240} />
            {trust !== "organisation" && (
              <div class="dialog-buttons">
                <button class="secondary" onClick={() => void mark(k.devicePublicKey, "unverified")}>
                  {t("trust.acceptUnverified")}
                </button>
                <button class="primary" onClick={() => void mark(k.devicePublicKey, "verified")}>
                  {t("trust.markVerified")}
                </button>
              </div>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}

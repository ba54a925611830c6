import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { contacts, dismissContactNotice, keyChanges, newDevices } from "../state/session.js";
import { loadSafetyNumbers, markKey, type SafetyNumbers } from "../state/verification.js";
import { Icon } from "./icons.js";
import { trustOf } from "./trust.js";

/**
 * Colleagues whose device the organisation signed show as verified. For
 * anyone else: the safety number and its QR code to compare in person, and
 * the choice to mark the key verified or to accept it unverified. Another
 * account key is a warning; another device of a confirmed colleague a notice.
 */
export function Verify({ accountId }: { accountId: string }) {
  const contact = contacts.value.get(accountId);
  const [numbers, setNumbers] = useState<SafetyNumbers | undefined>();
  const trust = trustOf(contact);
  useEffect(() => {
    void loadSafetyNumbers(accountId).then((loaded) => loaded && setNumbers(loaded));
  }, [accountId, contact?.devices.length]);

  const name = numbers?.displayName ?? contact?.displayName ?? "";
  const keys = numbers?.keys ?? [];
  const mark = (key: string, level: "verified" | "unverified") => void markKey(accountId, name, key, level);
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
        {!keyChanges.value.has(accountId) && newDevices.value.has(accountId) && (
          <p class="calm" role="status">
            <Icon name="shieldCheck" size={18} />
            {t("trust.newDevice", { name })}
            <button class="link" onClick={() => dismissContactNotice(accountId)}>
              {t("trust.newDeviceSeen")}
            </button>
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
                <button class="secondary" onClick={() => mark(k.devicePublicKey, "unverified")}>
                  {t("trust.acceptUnverified")}
                </button>
                <button class="primary" onClick={() => mark(k.devicePublicKey, "verified")}>
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

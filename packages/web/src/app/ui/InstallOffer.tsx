import { t } from "../i18n/i18n.js";
import { acceptInstall, declineInstall, installOffer } from "../state/install.js";

/** The one offer to put Bote on the home screen, where the browser makes one. */
export function InstallOffer() {
  if (installOffer.value === undefined) return null;
  return (
    <div class="notice install-offer" role="region" aria-label={t("install.accept")}>
      <p>{t("install.text")}</p>
      <div class="actions">
        <button class="secondary" onClick={() => declineInstall()}>
          {t("install.decline")}
        </button>
        <button onClick={() => void acceptInstall()}>{t("install.accept")}</button>
      </div>
    </div>
  );
}

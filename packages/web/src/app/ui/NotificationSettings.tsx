import { t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { appLock } from "../state/session.js";
import { pushAvailability, pushSettings, setPushPreview } from "../state/push.js";
import { toggleNotifications } from "../state/settings.js";

/** Notifications on or off, and whether they may show sender and text (never while the app lock is set). */
export function NotificationSettings() {
  const settings = pushSettings.value;
  const busy = isBusy("notifications");
  const locked = appLock().enabled;
  return (
    <fieldset class="notifications">
      <legend>{t("settings.notifications")}</legend>
      <p class="hint">
        {pushAvailability() === "available" ? t("settings.notificationsHint") : t("settings.notificationsUnsupported")}
      </p>
      <button class="secondary" disabled={busy || settings === undefined} onClick={() => void toggleNotifications()}>
        {settings?.enabled === true ? t("settings.notificationsDisable") : t("settings.notificationsEnable")}
      </button>
      <label>
        <input
          type="checkbox"
          checked={(settings?.preview ?? true) && !locked}
          disabled={locked || settings === undefined}
          onChange={(e) => void setPushPreview(e.currentTarget.checked)}
        />
        {t("settings.notificationsPreview")}
      </label>
      <p class="hint">{t("settings.notificationsPreviewHint")}</p>
    </fieldset>
  );
}

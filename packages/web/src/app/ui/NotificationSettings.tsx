import { useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { appLock, errorText, requireClient, showToast } from "../state/session.js";
import { disablePush, enablePush, pushAvailability, pushSettings, setPushPreview } from "../state/push.js";

/** Notifications on or off, and whether they may show sender and text (never while the app lock is set). */
export function NotificationSettings() {
  const settings = pushSettings.value;
  const [busy, setBusy] = useState(false);
  const locked = appLock().enabled;
  const toggle = async () => {
    setBusy(true);
    try {
      if (settings?.enabled === true) {
        await disablePush(requireClient());
        showToast(t("settings.notificationsOff"));
        return;
      }
      const outcome = await enablePush(requireClient());
      if (outcome === "on") showToast(t("settings.notificationsOn"));
      else if (outcome === "denied") showToast(t("settings.notificationsDenied"));
      else if (outcome === "unsupported") showToast(t("settings.notificationsUnsupported"));
      else showToast(t("settings.notificationsFailed"));
    } catch (err) {
      showToast(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="notifications">
      <legend>{t("settings.notifications")}</legend>
      <p class="hint">
        {pushAvailability() === "available" ? t("settings.notificationsHint") : t("settings.notificationsUnsupported")}
      </p>
      <button class="secondary" disabled={busy || settings === undefined} onClick={() => void toggle()}>
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

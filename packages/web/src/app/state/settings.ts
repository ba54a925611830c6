/**
 * The settings screen's actions: notifications on or off and the PIN of
 * the app lock, each saying in a toast what came of it.
 */
import { t } from "../i18n/i18n.js";
import { LockError } from "../../lock/appLock.js";
import { runAction } from "./actions.js";
import { disablePush, enablePush, pushSettings } from "./push.js";
import { appLock, requireClient, showToast } from "./session.js";

export async function toggleNotifications(): Promise<void> {
  await runAction("notifications", async () => {
    if (pushSettings.value?.enabled === true) {
      await disablePush(requireClient());
      showToast(t("settings.notificationsOff"));
      return;
    }
    const outcome = await enablePush(requireClient());
    if (outcome === "on") showToast(t("settings.notificationsOn"));
    else if (outcome === "denied") showToast(t("settings.notificationsDenied"));
    else if (outcome === "unsupported") showToast(t("settings.notificationsUnsupported"));
    else showToast(t("settings.notificationsFailed"));
  });
}

/** Sets the PIN, or removes it when one is set; whether that worked. A wrong or invalid PIN is said, not thrown. */
export async function changePin(pin: string): Promise<boolean> {
  const changed = await runAction("pin", async () => {
    const lock = appLock();
    try {
      if (lock.enabled) await lock.removePin(pin);
      else await lock.setPin(pin);
    } catch (err) {
      if (!(err instanceof LockError)) throw err;
      showToast(err.code === "pin_wrong" ? t("settings.pinWrong") : t("settings.pinInvalid"));
      return false;
    }
    showToast(lock.enabled ? t("settings.pinSaved") : t("settings.pinRemoved"));
    return true;
  });
  return changed === true;
}

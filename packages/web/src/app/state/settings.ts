/**
 * The settings screen's actions: notifications on or off and the PIN of
 * the app lock, each saying in a toast what came of it.
 */
import { t } from "../i18n/i18n.js";
import { LockError } from "../../lock/appLock.js";
import { runAction } from "./actions.js";
import { disablePush, enablePush, pushSettings } from "./push.js";
import { appLock, noteLockChanged, requireClient, showToast } from "./session.js";
import { policy } from "./policies.js";

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
    const required = policy.value?.appLockRequired === true ? policy.value.minPinLength : undefined;
    // The organisation's policy: no removal, and no PIN shorter than it asks for.
    if (required !== undefined && (lock.enabled || pin.length < required)) {
      showToast(lock.enabled ? t("policies.pinRemovalLocked") : t("policies.pinTooShort", { min: required }));
      return false;
    }
    try {
      if (lock.enabled) await lock.removePin(pin);
      else await lock.setPin(pin);
    } catch (err) {
      if (!(err instanceof LockError)) throw err;
      showToast(err.code === "pin_wrong" ? t("settings.pinWrong") : t("settings.pinInvalid"));
      return false;
    }
    noteLockChanged();
    showToast(lock.enabled ? t("settings.pinSaved") : t("settings.pinRemoved"));
    return true;
  });
  return changed === true;
}

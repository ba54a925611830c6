/**
 * The organisation's policy in the app: what applies, who set it and when
 * (for every member), the admin's changes, and the app lock it may require.
 * The SDK verifies the signed statement; this only mirrors it into a signal.
 */
import { signal } from "@preact/signals";
import type { BoteClient, EffectivePolicy } from "@bote/client";
import type { PolicyRules } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { requireClient, showToast } from "./session.js";

/** The disappearing times an admin picks from (the CLI's --disappearing). */
export const DISAPPEARING_CHOICES = [0, 3600, 86_400, 7 * 86_400, 28 * 86_400] as const;

export const policy = signal<EffectivePolicy | undefined>(undefined);

/** Follows the policy: now, and after every sync of the organisation's log. */
export function watchPolicy(client: BoteClient): void {
  policy.value = client.policy;
  client.on("organisation", () => {
    policy.value = client.policy;
  });
}

/** The admin's change of some rules; the SDK signs it with the organisation key. Whether it was saved. */
export async function savePolicy(changes: Partial<PolicyRules>): Promise<boolean> {
  const saved = await runAction("admin", async () => {
    policy.value = await requireClient().setPolicy(changes);
    showToast(t("policies.saved"));
    return true;
  });
  return saved === true;
}

/** Whether the organisation requires an app lock that this browser does not have yet. */
export function pinMissing(lockEnabled: boolean): boolean {
  return policy.value?.appLockRequired === true && !lockEnabled;
}

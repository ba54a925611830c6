// The organisation's policy as this device applies it: the newest statement
// signed by the organisation key (OrganisationView.policy), or the defaults
// while none exists. Admin devices sign a new one; every device enforces it.
import { createPolicyStatement, DEFAULT_CIPHERSUITE, POST_QUANTUM_CIPHERSUITE } from "@bote/core";
import { DEFAULT_POLICY_RULES, encodeBase64url, policyRulesFault, type PolicyRules } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import { formatSize } from "./formatSize.js";
import type { ClientContext } from "./context.js";
import { currentOrganisationKey } from "./invitations.js";
import { publishStatements } from "./organisation.js";
import { bytesFrom } from "./ServerApi.js";
import type { OrganisationView } from "@bote/core";

/** The rules that apply, and why: who set them and when (both absent for the defaults). */
export interface EffectivePolicy extends PolicyRules {
  readonly setBy?: { readonly accountId: string; readonly displayName: string | undefined };
  /** When the organisation signed it. */
  readonly setAt?: Date;
}

export function effectivePolicy(view: OrganisationView): EffectivePolicy {
  const policy = view.policy;
  if (policy === undefined) return DEFAULT_POLICY_RULES;
  const accountId = encodeBase64url(policy.issuedBy);
  return {
    disappearingSeconds: policy.disappearingSeconds,
    maxAttachmentBytes: policy.maxAttachmentBytes,
    externalChats: policy.externalChats,
    appLockRequired: policy.appLockRequired,
    minPinLength: policy.minPinLength,
    postQuantum: policy.postQuantum,
    wipeOnDeactivation: policy.wipeOnDeactivation,
    language: policy.language,
    setBy: { accountId, displayName: view.accounts.get(accountId)?.certificate.displayName },
    setAt: new Date(policy.issuedAtSeconds * 1000),
  };
}

/** Whether this device's MLS suite is the post-quantum one: what a policy that says nothing reports. */
function devicePostQuantum(ctx: ClientContext): boolean {
  return ctx.device().ciphersuite === POST_QUANTUM_CIPHERSUITE;
}

/** The policy in force here; with none signed yet, the defaults and this organisation's suite. */
export function currentPolicy(ctx: ClientContext): EffectivePolicy {
  const policy = effectivePolicy(ctx.organisation());
  return ctx.organisation().policy === undefined ? { ...policy, postQuantum: devicePostQuantum(ctx) } : policy;
}

/**
 * Signs and publishes a policy that changes only the given rules. The
 * organisation's MLS suite is chosen when it is set up (every device's key
 * packages are made for it), so a policy cannot switch it afterwards:
 * asking for the other suite is policy_post_quantum_fixed.
 */
export async function setPolicy(ctx: ClientContext, changes: Partial<PolicyRules>): Promise<EffectivePolicy> {
  const organisationKey = currentOrganisationKey(ctx);
  const current = currentPolicy(ctx);
  const rules: PolicyRules = {
    disappearingSeconds: changes.disappearingSeconds ?? current.disappearingSeconds,
    maxAttachmentBytes: changes.maxAttachmentBytes ?? current.maxAttachmentBytes,
    externalChats: changes.externalChats ?? current.externalChats,
    appLockRequired: changes.appLockRequired ?? current.appLockRequired,
    minPinLength: changes.minPinLength ?? current.minPinLength,
    postQuantum: changes.postQuantum ?? current.postQuantum,
    wipeOnDeactivation: changes.wipeOnDeactivation ?? current.wipeOnDeactivation,
    language: changes.language ?? current.language,
  };
  const fault = policyRulesFault(rules);
  if (fault !== undefined) throw new ClientError("bad_request", fault);
  if (rules.postQuantum !== devicePostQuantum(ctx)) {
    throw new ClientError(
      "policy_post_quantum_fixed",
      rules.postQuantum ? DEFAULT_CIPHERSUITE : POST_QUANTUM_CIPHERSUITE,
    );
  }
  // Strictly newer than the policy it replaces, so two changes within one second keep their order.
  const previous = ctx.organisation().policy?.issuedAtSeconds ?? 0;
  const seconds = Math.max(Math.floor(ctx.now() / 1000), previous + 1);
  const policy = createPolicyStatement(organisationKey, rules, {
    issuedBy: bytesFrom(ctx.profile().accountId, "accountId"),
    now: new Date(seconds * 1000),
  });
  await publishStatements(ctx, [{ kind: "policy", policy }]);
  return currentPolicy(ctx);
}

/**
 * A member's device writes nothing into a chat with someone outside the
 * organisation (an inquiry's customer) while the policy forbids such chats.
 * A customer's device has no policy of the business and is not held to it.
 */
export function checkExternalChat(ctx: ClientContext, conversation: { readonly kind: string }): void {
  if (conversation.kind === "inquiry" && !currentPolicy(ctx).externalChats) {
    throw new ClientError("external_chats_off", "the organisation's policy allows no chats with people outside it");
  }
}

/** Refuses a file over the policy's largest attachment before a byte of it is read or uploaded. */
export function checkAttachmentSize(ctx: ClientContext, size: number): void {
  const limit = currentPolicy(ctx).maxAttachmentBytes;
  if (size > limit) {
    throw new ClientError("attachment_over_policy", `${size} bytes, the policy allows ${limit}`, {
      values: { limit: (language) => formatSize(limit, language) },
    });
  }
}

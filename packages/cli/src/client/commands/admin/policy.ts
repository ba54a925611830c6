/** `bote admin policy show | set`: the organisation's policy, signed with the organisation key. */
import { formatSize, type EffectivePolicy } from "@bote/client";
import {
  MAX_POLICY_ATTACHMENT_BYTES,
  MAX_POLICY_PIN_LENGTH,
  MIN_POLICY_PIN_LENGTH,
  type PolicyRules,
} from "@bote/protocol";
import type { Command } from "commander";
import { oneOf, parseOptions, type Field } from "../../args.js";
import { clientMessages, type ClientMessages } from "../../clientMessages.js";
import { helpTexts } from "../../helpTexts.js";
import { UsageError, type Language } from "../../../messages.js";
import { formatTime, type Printer } from "../../print.js";
import { withClient } from "../../session.js";
import { clientCommand } from "../clientCommand.js";

/** The disappearing times an admin picks from, as the web app offers them. */
export const DISAPPEARING_CHOICES = { off: 0, "1h": 3600, "1d": 86_400, "7d": 7 * 86_400, "4w": 28 * 86_400 } as const;
type DisappearingChoice = keyof typeof DISAPPEARING_CHOICES;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "25MB", "1,5 GB", "500kB", "25MiB" or plain bytes; from one byte to the wire's largest. */
export const sizeField: Field<number | undefined> = (value, name, t) => {
  if (value === undefined) return undefined;
  const match = typeof value === "string" ? /^(\d+(?:[.,]\d+)?)\s*([kmg]i?b|b)?$/i.exec(value.trim()) : null;
  const bytes =
    match === null ? NaN : Math.round(Number(match[1]!.replace(",", ".")) * UNITS[(match[2] ?? "b").toLowerCase()]!);
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_POLICY_ATTACHMENT_BYTES) {
    throw new UsageError(t.usage.invalid(name, typeof value === "string" ? value : JSON.stringify(value)));
  }
  return bytes;
};

const onOff: Field<boolean | undefined> = (value, name, t) =>
  value === undefined ? undefined : oneOf("on", "off")(value, name, t) === "on";

const pinLength: Field<number | undefined> = (value, name, t) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || n < MIN_POLICY_PIN_LENGTH || n > MAX_POLICY_PIN_LENGTH) {
    throw new UsageError(t.usage.invalid(name, typeof value === "string" ? value : JSON.stringify(value)));
  }
  return n;
};

function optional<T>(field: Field<T>): Field<T | undefined> {
  return (value, name, t) => (value === undefined ? undefined : field(value, name, t));
}

const setShape = {
  disappearing: optional(oneOf(...(Object.keys(DISAPPEARING_CHOICES) as DisappearingChoice[]))),
  maxAttachment: sizeField,
  external: onOff,
  appLock: onOff,
  minPin: pinLength,
  postQuantum: onOff,
  wipeOnDeactivation: onOff,
  language: optional(oneOf("de", "en")),
};

function formatDuration(seconds: number, t: ClientMessages): string {
  const choice = (Object.keys(DISAPPEARING_CHOICES) as DisappearingChoice[]).find(
    (c) => DISAPPEARING_CHOICES[c] === seconds,
  );
  return choice === undefined ? t.policy.seconds(seconds) : t.policy.duration[choice];
}

function printPolicy(printer: Printer, policy: EffectivePolicy): void {
  const t = clientMessages(printer.language);
  const language: Language = printer.language;
  const lines = [
    t.policy.disappearing(formatDuration(policy.disappearingSeconds, t)),
    t.policy.maxAttachment(formatSize(policy.maxAttachmentBytes, language)),
    t.policy.externalChats(policy.externalChats),
    t.policy.appLock(policy.appLockRequired, policy.minPinLength),
    t.policy.postQuantum(policy.postQuantum),
    t.policy.wipe(policy.wipeOnDeactivation),
    t.policy.language(policy.language),
    policy.setAt === undefined
      ? t.policy.defaults
      : t.policy.setBy(
          policy.setBy?.displayName ?? policy.setBy?.accountId ?? "?",
          formatTime(policy.setAt.getTime(), language),
        ),
  ];
  printer.out(lines.join("\n"), {
    type: "policy",
    disappearingSeconds: policy.disappearingSeconds,
    maxAttachmentBytes: policy.maxAttachmentBytes,
    externalChats: policy.externalChats,
    appLockRequired: policy.appLockRequired,
    minPinLength: policy.minPinLength,
    postQuantum: policy.postQuantum,
    wipeOnDeactivation: policy.wipeOnDeactivation,
    language: policy.language,
    setBy:
      policy.setBy === undefined ? null : { accountId: policy.setBy.accountId, name: policy.setBy.displayName ?? null },
    setAt: policy.setAt?.toISOString() ?? null,
  });
}

export function registerPolicy(admin: Command): void {
  const policy = admin.command("policy").description(helpTexts.adminPolicy);
  clientCommand(policy, "show", helpTexts.adminPolicyShow).action(async (raw: unknown) => {
    const options = parseOptions(raw, {});
    await withClient(options, async (client, printer) => printPolicy(printer, await client.fetchPolicy()));
  });
  clientCommand(policy, "set", helpTexts.adminPolicySet)
    .option("--disappearing <time>", helpTexts.adminPolicyDisappearing)
    .option("--max-attachment <size>", helpTexts.adminPolicyMaxAttachment)
    .option("--external <on|off>", helpTexts.adminPolicyExternal)
    .option("--app-lock <on|off>", helpTexts.adminPolicyAppLock)
    .option("--min-pin <n>", helpTexts.adminPolicyMinPin)
    .option("--post-quantum <on|off>", helpTexts.adminPolicyPostQuantum)
    .option("--wipe-on-deactivation <on|off>", helpTexts.adminPolicyWipe)
    .option("--language <de|en>", helpTexts.adminPolicyLanguage)
    .action(async (raw: unknown) => {
      const options = parseOptions(raw, setShape, (o, t) =>
        Object.keys(setShape).every((key) => o[key as keyof typeof setShape] === undefined)
          ? t.usage.policyNothing
          : undefined,
      );
      const changes: Partial<PolicyRules> = {
        ...(options.disappearing === undefined
          ? {}
          : { disappearingSeconds: DISAPPEARING_CHOICES[options.disappearing] }),
        ...(options.maxAttachment === undefined ? {} : { maxAttachmentBytes: options.maxAttachment }),
        ...(options.external === undefined ? {} : { externalChats: options.external }),
        ...(options.appLock === undefined ? {} : { appLockRequired: options.appLock }),
        ...(options.minPin === undefined ? {} : { minPinLength: options.minPin }),
        ...(options.postQuantum === undefined ? {} : { postQuantum: options.postQuantum }),
        ...(options.wipeOnDeactivation === undefined ? {} : { wipeOnDeactivation: options.wipeOnDeactivation }),
        ...(options.language === undefined ? {} : { language: options.language }),
      };
      await withClient(options, async (client, printer) => {
        const applied = await client.setPolicy(changes);
        const t = clientMessages(printer.language);
        if (!printer.json) printer.out(t.policy.saved, {});
        printPolicy(printer, applied);
      });
    });
}

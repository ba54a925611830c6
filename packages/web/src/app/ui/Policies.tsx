import { useState } from "preact/hooks";
import { formatSize } from "@bote/client/light";
import type { EffectivePolicy } from "@bote/client";
import { MAX_POLICY_PIN_LENGTH, MIN_POLICY_PIN_LENGTH, type PolicyLanguage } from "@bote/protocol/light";
import { formatDateTime, language, t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { DISAPPEARING_CHOICES, policy, savePolicy } from "../state/policies.js";
import { changePin } from "../state/settings.js";

function durationText(seconds: number): string {
  switch (seconds) {
    case 0:
      return t("policies.durations.off");
    case 3600:
      return t("policies.durations.hour");
    case 86_400:
      return t("policies.durations.day");
    case 7 * 86_400:
      return t("policies.durations.week");
    case 28 * 86_400:
      return t("policies.durations.fourWeeks");
    default:
      return t("policies.seconds", { seconds });
  }
}

/** Who set the policy and when: the "why" beside every rule. */
function PolicyOrigin({ current }: { current: EffectivePolicy }) {
  if (current.setAt === undefined) return <p class="hint">{t("policies.defaults")}</p>;
  const name = current.setBy?.displayName ?? current.setBy?.accountId ?? "";
  return <p class="hint">{t("policies.setBy", { name, date: formatDateTime(current.setAt.getTime()) })}</p>;
}

/** For every member: the rules that apply on this device, and who set them when. */
export function PolicySummary() {
  const current = policy.value;
  if (current === undefined) return null;
  return (
    <section class="admin-section" aria-labelledby="policy-summary-title">
      <h3 id="policy-summary-title">{t("policies.memberTitle")}</h3>
      <dl class="facts policy-facts">
        <dt>{t("policies.disappearing")}</dt>
        <dd>{durationText(current.disappearingSeconds)}</dd>
        <dt>{t("policies.maxAttachment")}</dt>
        <dd>{formatSize(current.maxAttachmentBytes, language.value)}</dd>
        <dt>{t("policies.externalChats")}</dt>
        <dd>{current.externalChats ? t("policies.allowed") : t("policies.notAllowed")}</dd>
        <dt>{t("policies.appLock")}</dt>
        <dd>
          {current.appLockRequired
            ? t("policies.appLockRequired", { min: current.minPinLength })
            : t("policies.appLockOptional")}
        </dd>
        <dt>{t("policies.postQuantum")}</dt>
        <dd>{current.postQuantum ? t("policies.on") : t("policies.off")}</dd>
        <dt>{t("policies.wipe")}</dt>
        <dd>{current.wipeOnDeactivation ? t("policies.yes") : t("policies.no")}</dd>
        <dt>{t("policies.language")}</dt>
        <dd>{t(`policies.languages.${current.language}`)}</dd>
      </dl>
      <PolicyOrigin current={current} />
    </section>
  );
}

/** The admin's "Richtlinien": every rule in one form, signed with the organisation key on saving. */
export function PolicyEditor() {
  const current = policy.value;
  if (current === undefined) return null;
  return <PolicyForm key={current.setAt?.getTime() ?? 0} current={current} />;
}

function PolicyForm({ current }: { current: EffectivePolicy }) {
  const [disappearing, setDisappearing] = useState(current.disappearingSeconds);
  const [megabytes, setMegabytes] = useState(
    new Intl.NumberFormat(language.value, { maximumFractionDigits: 6, useGrouping: false }).format(
      current.maxAttachmentBytes / 1e6,
    ),
  );
  const [external, setExternal] = useState(current.externalChats);
  const [appLock, setAppLock] = useState(current.appLockRequired);
  const [minPin, setMinPin] = useState(String(current.minPinLength));
  const [wipe, setWipe] = useState(current.wipeOnDeactivation);
  const [orgLanguage, setOrgLanguage] = useState<PolicyLanguage>(current.language);
  const busy = isBusy("admin");
  const bytes = Math.round(Number(megabytes.replace(",", ".")) * 1e6);
  const pin = Number(minPin);
  const valid =
    Number.isSafeInteger(bytes) &&
    bytes >= 1 &&
    Number.isInteger(pin) &&
    pin >= MIN_POLICY_PIN_LENGTH &&
    pin <= MAX_POLICY_PIN_LENGTH;
  const offered: readonly number[] = DISAPPEARING_CHOICES;
  // A time set elsewhere (the CLI takes only these, another client might not) stays selectable.
  const choices = offered.includes(disappearing) ? offered : [...offered, disappearing];
  return (
    <section class="admin-section" aria-labelledby="policies-title">
      <h3 id="policies-title">{t("policies.title")}</h3>
      <p class="hint">{t("policies.explain")}</p>
      <form
        class="row-form policy-form"
        onSubmit={(e) => {
          e.preventDefault();
          void savePolicy({
            disappearingSeconds: disappearing,
            maxAttachmentBytes: bytes,
            externalChats: external,
            appLockRequired: appLock,
            minPinLength: pin,
            wipeOnDeactivation: wipe,
            language: orgLanguage,
          });
        }}
      >
        <label for="policy-disappearing">{t("policies.disappearing")}</label>
        <select
          id="policy-disappearing"
          value={String(disappearing)}
          onChange={(e) => setDisappearing(Number(e.currentTarget.value))}
        >
          {choices.map((seconds) => (
            <option key={seconds} value={String(seconds)}>
              {durationText(seconds)}
            </option>
          ))}
        </select>
        <label for="policy-max-attachment">{t("policies.maxAttachmentMb")}</label>
        <input
          id="policy-max-attachment"
          inputMode="decimal"
          value={megabytes}
          onInput={(e) => setMegabytes(e.currentTarget.value)}
        />
        <label class="checkbox">
          <input type="checkbox" checked={external} onChange={(e) => setExternal(e.currentTarget.checked)} />
          {t("policies.allowExternalChats")}
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={appLock} onChange={(e) => setAppLock(e.currentTarget.checked)} />
          {t("policies.requireAppLock")}
        </label>
        <label for="policy-min-pin">{t("policies.minPin")}</label>
        <input
          id="policy-min-pin"
          type="number"
          min={MIN_POLICY_PIN_LENGTH}
          max={MAX_POLICY_PIN_LENGTH}
          value={minPin}
          onInput={(e) => setMinPin(e.currentTarget.value)}
        />
        <label class="checkbox">
          <input type="checkbox" checked={wipe} onChange={(e) => setWipe(e.currentTarget.checked)} />
          {t("policies.wipe")}
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={current.postQuantum} disabled />
          {t("policies.postQuantum")}
        </label>
        <p class="hint">{t("policies.postQuantumFixed")}</p>
        <label for="policy-language">{t("policies.language")}</label>
        <select
          id="policy-language"
          value={orgLanguage}
          onChange={(e) => setOrgLanguage(e.currentTarget.value === "en" ? "en" : "de")}
        >
          <option value="de">{t("policies.languages.de")}</option>
          <option value="en">{t("policies.languages.en")}</option>
        </select>
        <button type="submit" class="primary" disabled={busy || !valid}>
          {t("policies.save")}
        </button>
      </form>
      <PolicyOrigin current={current} />
    </section>
  );
}

/** Before anything else: the organisation requires an app lock this browser does not have. */
export function PinRequiredScreen({ minPin }: { minPin: number }) {
  const [pin, setPin] = useState("");
  return (
    <main class="center">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void changePin(pin).then(() => setPin(""));
        }}
      >
        <h1>{t("policies.pinRequiredTitle")}</h1>
        <p>{t("policies.pinRequiredText", { min: minPin })}</p>
        <label for="required-pin">{t("lock.pinLabel")}</label>
        <input
          id="required-pin"
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          pattern="[0-9]*"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
          autoFocus
        />
        <button type="submit" class="primary" disabled={pin.length < minPin || isBusy("pin")}>
          {t("policies.pinRequiredSubmit")}
        </button>
      </form>
    </main>
  );
}

import { useState } from "preact/hooks";
import { language, languages, setLanguage, t, type Language } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { lockEnabled, ownProfile } from "../state/session.js";
import { policy } from "../state/policies.js";
import { PolicySummary } from "./Policies.js";
import { setPushLanguage } from "../state/push.js";
import { changePin } from "../state/settings.js";
import { NotificationSettings } from "./NotificationSettings.js";
import { Icon } from "./icons.js";

export function LanguageSwitch() {
  return (
    <fieldset class="language">
      <legend>{t("settings.language")}</legend>
      {languages.map((lng: Language) => (
        <label key={lng}>
          <input
            type="radio"
            name="language"
            value={lng}
            checked={language.value === lng}
            onChange={() => void setLanguage(lng).then(() => setPushLanguage(lng))}
          />
          {t(`settings.languages.${lng}`)}
        </label>
      ))}
    </fieldset>
  );
}

export function Settings() {
  const profile = ownProfile();
  return (
    <section class="info" aria-labelledby="settings-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="settings-title" class="bar-title">
          {t("settings.title")}
        </h2>
      </header>
      <div class="info-body">
        <dl class="facts">
          <dt>{t("settings.name")}</dt>
          <dd>{profile.displayName}</dd>
          <dt>{t("settings.organisation")}</dt>
          <dd>{profile.organisationName}</dd>
          <dt>{t("settings.role")}</dt>
          <dd>{profile.role === "admin" ? t("settings.roleAdmin") : t("settings.roleMember")}</dd>
        </dl>
        <LanguageSwitch />
        <PinSettings />
        <PolicySummary />
        <NotificationSettings />
        <a class="secondary link-button" href="#/colleagues">
          {t("colleagues.open")}
        </a>
        <a class="secondary link-button" href="#/link-device">
          {t("deviceLink.offer")}
        </a>
        <a class="secondary link-button" href="#/privacy">
          {t("privacy.title")}
        </a>
        {profile.role === "admin" && (
          <a class="secondary link-button" href="#/admin">
            {t("settings.administration")}
          </a>
        )}
      </div>
    </section>
  );
}

function PinSettings() {
  const enabled = lockEnabled.value;
  const [pin, setPin] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!(await changePin(pin))) return;
    setPin("");
  };
  // Required by the organisation's policy: it cannot be removed here.
  if (enabled && policy.value?.appLockRequired === true) return <p class="hint">{t("policies.pinRemovalLocked")}</p>;
  return (
    <form class="row-form" onSubmit={(e) => void submit(e)}>
      <label for="settings-pin">{enabled ? t("settings.pinRemoveLabel") : t("settings.pinSetLabel")}</label>
      <p class="hint">{t("settings.pinHint")}</p>
      <input
        id="settings-pin"
        type="password"
        inputMode="numeric"
        autocomplete="new-password"
        pattern="[0-9]{4,12}"
        value={pin}
        onInput={(e) => setPin(e.currentTarget.value)}
      />
      <button type="submit" class="secondary" disabled={pin.length < 4 || isBusy("pin")}>
        {enabled ? t("settings.pinRemove") : t("settings.pinSet")}
      </button>
    </form>
  );
}

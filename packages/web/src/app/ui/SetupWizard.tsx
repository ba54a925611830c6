import { useEffect, useState } from "preact/hooks";
import { languages, t, type Language } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { createRecoveryKit } from "../state/administration.js";
import { PassphraseFields, passphraseReady } from "./PassphraseFields.js";
import { Icon } from "./icons.js";
import { PolicyEditor } from "./Policies.js";
import {
  answer,
  chooseLanguage,
  finishSetup,
  goToStep,
  setup,
  setupPending,
  startSetup,
  SETUP_STEPS,
  stepDone,
  validName,
  type SetupAnswers,
} from "../state/setup.js";

/** The first admin's setup: organisation name, own name, default language, recovery kit, policies. */
export function SetupWizard() {
  useEffect(() => {
    void startSetup();
  }, []);
  const answers = setup.value;
  if (answers === undefined) {
    return (
      <section class="info">
        <p class="hint">{t("app.loading")}</p>
      </section>
    );
  }
  const index = SETUP_STEPS.indexOf(answers.step);
  const last = index === SETUP_STEPS.length - 1;
  const busy = isBusy("admin");
  return (
    <section class="info setup" aria-labelledby="setup-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("setup.later")}>
          <Icon name="back" />
        </a>
        <h2 id="setup-title" class="bar-title">
          {t("setup.title")}
        </h2>
      </header>
      <form
        class="info-body setup-step"
        onSubmit={(e) => {
          e.preventDefault();
          if (!stepDone(answers) || busy) return;
          if (last) void finishSetup();
          else goToStep(1);
        }}
      >
        <p class="hint" aria-live="polite">
          {t("setup.step", { step: index + 1, count: SETUP_STEPS.length })}
        </p>
        {index === 0 && <p>{t("setup.intro")}</p>}
        <Step answers={answers} />
        <div class="button-row">
          {index > 0 && (
            <button type="button" class="secondary" disabled={busy} onClick={() => goToStep(-1)}>
              {t("setup.back")}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || !stepDone(answers)}>
            {last ? (busy ? t("setup.finishing") : t("setup.finish")) : t("setup.next")}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The chat list's offer to the first admin, until the organisation is set up. */
export function SetupOffer() {
  if (!setupPending.value) return null;
  return (
    <a class="setup-offer" href="#/setup">
      <strong>{t("setup.offerTitle")}</strong>
      <span>{t("setup.offerText")}</span>
    </a>
  );
}

function Step({ answers }: { answers: SetupAnswers }) {
  switch (answers.step) {
    case "organisation":
      return (
        <NameField
          id="setup-organisation"
          label={t("setup.organisationTitle")}
          hint={t("setup.organisationHint")}
          value={answers.organisationName}
          onInput={(organisationName) => answer({ organisationName })}
        />
      );
    case "name":
      return (
        <NameField
          id="setup-name"
          label={t("setup.nameTitle")}
          hint={t("setup.nameHint")}
          value={answers.displayName}
          onInput={(displayName) => answer({ displayName })}
        />
      );
    case "language":
      return (
        <fieldset class="language">
          <legend>{t("setup.languageTitle")}</legend>
          {languages.map((lng: Language) => (
            <label key={lng}>
              <input
                type="radio"
                name="setup-language"
                value={lng}
                checked={answers.language === lng}
                onChange={() => void chooseLanguage(lng)}
              />
              {lng === "de" ? t("setup.german") : t("setup.english")}
            </label>
          ))}
          <p class="hint">{t("setup.languageHint")}</p>
        </fieldset>
      );
    case "recoveryKit":
      return <RecoveryStep answers={answers} />;
    case "policies":
      // The same form as in the Verwaltung: saving signs a policy; skipping keeps the defaults.
      return (
        <div class="setup-policies">
          <h3>{t("setup.policiesTitle")}</h3>
          <p>{t("setup.policiesLater")}</p>
          <PolicyEditor />
        </div>
      );
  }
}

function NameField(props: { id: string; label: string; hint: string; value: string; onInput: (v: string) => void }) {
  const invalid = props.value !== "" && !validName(props.value);
  return (
    <div class="setup-field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        maxLength={64}
        required
        value={props.value}
        autoFocus
        aria-invalid={invalid}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {invalid ? (
        <p class="error" role="alert">
          {t("setup.nameInvalid")}
        </p>
      ) : (
        <p class="hint">{props.hint}</p>
      )}
    </div>
  );
}

function RecoveryStep({ answers }: { answers: SetupAnswers }) {
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const busy = isBusy("admin");
  const create = () =>
    void createRecoveryKit(first).then((code) => {
      if (code === undefined) return;
      answer({ recoveryCode: code });
      setFirst("");
      setSecond("");
    });
  return (
    <div class="setup-recovery">
      <h3>{t("setup.recoveryTitle")}</h3>
      <p class="hint">{t("setup.recoveryExplain")}</p>
      {answers.recoveryCode === undefined ? (
        <>
          <PassphraseFields id="setup" first={first} second={second} onFirst={setFirst} onSecond={setSecond} />
          <button type="button" class="secondary" disabled={busy || !passphraseReady(first, second)} onClick={create}>
            {busy ? t("admin.recoveryCreating") : t("admin.recoveryCreate")}
          </button>
        </>
      ) : (
        <div class="print-area">
          <h4>{t("admin.recoveryCode")}</h4>
          <p class="recovery-code">{answers.recoveryCode}</p>
          <p class="hint">{t("admin.recoveryCodeHint")}</p>
          <button type="button" class="secondary no-print" onClick={() => print()}>
            {t("admin.print")}
          </button>
        </div>
      )}
      <label class="checkbox">
        <input
          type="checkbox"
          checked={answers.recoveryConfirmed}
          disabled={answers.recoveryCode === undefined}
          onChange={(e) => answer({ recoveryConfirmed: e.currentTarget.checked })}
        />
        <span>{t("setup.recoveryConfirm")}</span>
      </label>
    </div>
  );
}

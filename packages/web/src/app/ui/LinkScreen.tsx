import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import {
  cancelLinkingThisDevice,
  clearLinkProblem,
  closeLinkScreen,
  linkFromAddress,
  linkThisBrowser,
  newDeviceStep,
  openLinkScreen,
} from "../state/deviceLink.js";
import { Busy, ComparisonCode } from "./LinkDevice.js";
import { LanguageSwitch } from "./Settings.js";

/**
 * The new device's screen: opened from the other device's QR code
 * (`/link#c=…`, which starts at once) or by typing its code. It shows the
 * comparison code and waits for the confirmation on the other device; the
 * app then shows the chat list, as after joining.
 */
export function LinkScreen({ link }: { link: string | undefined }) {
  useEffect(() => {
    if (link !== undefined) linkFromAddress(link);
  }, [link]);
  const step = newDeviceStep.value;
  switch (step.step) {
    case "enter":
      return <CodeForm problem={step.problem} />;
    case "claiming":
      return (
        <Card title={t("deviceLink.joinTitle")}>
          <Busy text={t("deviceLink.connecting")} />
          <button class="secondary" onClick={cancelLinkingThisDevice}>
            {t("common.cancel")}
          </button>
        </Card>
      );
    case "compare":
      return (
        <Card title={t("deviceLink.compareTitle")}>
          <ComparisonCode code={step.comparisonCode} />
          <p class="device-link-question">{t("deviceLink.compareOnOther")}</p>
          <Busy text={t("deviceLink.waitingForConfirm")} />
          <button class="secondary" onClick={cancelLinkingThisDevice}>
            {t("common.cancel")}
          </button>
        </Card>
      );
  }
}

function Card({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <main class="center">
      <div class="card device-link">
        <h1>{title}</h1>
        {children}
        <LanguageSwitch />
      </div>
    </main>
  );
}

function CodeForm({ problem }: { problem: (() => string) | undefined }) {
  const [code, setCode] = useState("");
  return (
    <main class="center">
      <form
        class="card device-link"
        onSubmit={(e) => {
          e.preventDefault();
          void linkThisBrowser(code);
        }}
      >
        <h1>{t("deviceLink.joinTitle")}</h1>
        <p>{t("deviceLink.joinIntro")}</p>
        <label for="device-link-code">{t("deviceLink.codeLabel")}</label>
        <input
          id="device-link-code"
          class="device-link-input"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          maxLength={200}
          placeholder={t("deviceLink.codePlaceholder")}
          value={code}
          onInput={(e) => {
            setCode(e.currentTarget.value);
            clearLinkProblem();
          }}
          autoFocus
        />
        {problem !== undefined && (
          <p class="error" role="alert">
            {problem()}
          </p>
        )}
        <button type="submit" class="primary" disabled={code.trim() === ""}>
          {t("deviceLink.connect")}
        </button>
        <button type="button" class="secondary" onClick={closeLinkScreen}>
          {t("common.back")}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}

/** The start and invitation screens of a browser without a profile offer to link it to an existing account instead. */
export function WithLinkOffer({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="start-screen">
      {children}
      <footer class="start-footer">
        <button class="link" onClick={openLinkScreen}>
          {t("deviceLink.haveAccount")}
        </button>
      </footer>
    </div>
  );
}

import { useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { errorText, join } from "../state/session.js";
import { LanguageSwitch } from "./Settings.js";

/** Opening an invitation link: a name, one button, and the chat list. */
export function JoinScreen({ link }: { link: string }) {
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await join(link, name);
    } catch (err) {
      setProblem(errorText(err));
      setBusy(false);
    }
  };
  return (
    <main class="center">
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h1>{t("join.title")}</h1>
        <p>{t("join.intro")}</p>
        <label for="display-name">{t("join.nameLabel")}</label>
        <input
          id="display-name"
          autocomplete="name"
          maxLength={64}
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          autoFocus
        />
        <p class="hint">{t("join.nameHint")}</p>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || name.trim() === ""}>
          {busy ? t("join.joining") : t("join.submit")}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}

export function WelcomeScreen() {
  return (
    <main class="center">
      <div class="card">
        <h1>{t("welcome.title")}</h1>
        <p>{t("welcome.noDevice")}</p>
        <p class="hint">{t("welcome.adminHint")}</p>
        <LanguageSwitch />
      </div>
    </main>
  );
}

import { useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { errorText, unlock } from "../state/session.js";

/** The app login: nothing is decrypted or connected before the PIN is right. */
export function LockScreen() {
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await unlock(pin);
      if (!result.ok) {
        setPin("");
        setProblem(
          result.retryAfterMs > 0 ? t("lock.wait", { count: Math.ceil(result.retryAfterMs / 1000) }) : t("lock.wrong"),
        );
      }
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="center">
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h1>{t("lock.title")}</h1>
        <label for="pin">{t("lock.pinLabel")}</label>
        <input
          id="pin"
          type="password"
          inputMode="numeric"
          autocomplete="current-password"
          pattern="[0-9]*"
          value={pin}
          onInput={(e) => setPin(e.currentTarget.value)}
          autoFocus
        />
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || pin.length < 4}>
          {t("lock.unlock")}
        </button>
      </form>
    </main>
  );
}

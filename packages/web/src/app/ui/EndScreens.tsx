import { useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { deleteLocalProfile, errorText } from "../state/session.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { Icon } from "./icons.js";
import { LanguageSwitch } from "./Settings.js";

/** The organisation revoked this device: no chats, no reconnecting, only the reason. */
export function DeactivatedScreen({ wiped }: { wiped: boolean }) {
  return (
    <main class="center">
      <div class="card ended" role="alert">
        <Icon name="lock" size={40} />
        <h1>{t("ended.deactivatedTitle")}</h1>
        <p>{t("ended.deactivatedText")}</p>
        {wiped && <p>{t("ended.wipedText")}</p>}
        <LanguageSwitch />
      </div>
    </main>
  );
}

/** A profile from before the organisation key chain: it cannot be opened, only replaced. */
export function OutdatedScreen() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const remove = async () => {
    setBusy(true);
    try {
      await deleteLocalProfile();
    } catch (err) {
      setProblem(errorText(err));
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <main class="center">
      <div class="card ended">
        <Icon name="warning" size={40} />
        <h1>{t("ended.outdatedTitle")}</h1>
        <p>{t("ended.outdatedText")}</p>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <button class="primary" disabled={busy} onClick={() => setAsking(true)}>
          {t("ended.deleteProfile")}
        </button>
        <LanguageSwitch />
      </div>
      {asking && (
        <ConfirmDialog
          title={t("ended.deleteTitle")}
          text={t("ended.deleteExplain")}
          confirmLabel={t("ended.deleteConfirm")}
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setAsking(false)}
        />
      )}
    </main>
  );
}

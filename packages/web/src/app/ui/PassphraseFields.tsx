import { t } from "../i18n/i18n.js";
import { MIN_PASSPHRASE_CHARS } from "../state/administration.js";

/** Whether a recovery kit's passphrase, typed twice, may be used. */
export function passphraseReady(first: string, second: string): boolean {
  return first.normalize("NFC").length >= MIN_PASSPHRASE_CHARS && first === second;
}

/** The recovery kit's passphrase, typed twice, with what is wrong with it: in the Verwaltung and in the setup. */
export function PassphraseFields(props: {
  id: string;
  first: string;
  second: string;
  onFirst: (value: string) => void;
  onSecond: (value: string) => void;
}) {
  const { id, first, second } = props;
  const short = first.normalize("NFC").length < MIN_PASSPHRASE_CHARS;
  const mismatch = second !== "" && first !== second;
  return (
    <>
      <label for={`${id}-passphrase`}>{t("admin.passphrase")}</label>
      <input
        id={`${id}-passphrase`}
        type="password"
        autocomplete="new-password"
        minLength={MIN_PASSPHRASE_CHARS}
        value={first}
        onInput={(e) => props.onFirst(e.currentTarget.value)}
      />
      <label for={`${id}-passphrase-again`}>{t("admin.passphraseAgain")}</label>
      <input
        id={`${id}-passphrase-again`}
        type="password"
        autocomplete="new-password"
        value={second}
        onInput={(e) => props.onSecond(e.currentTarget.value)}
      />
      {first !== "" && short && <p class="hint">{t("admin.passphraseShort")}</p>}
      {mismatch && (
        <p class="error" role="alert">
          {t("admin.passphraseMismatch")}
        </p>
      )}
    </>
  );
}

/**
 * Settings → Datenschutz: the server's data protection documents. Everyone
 * reads the Art. 13 information; an admin also the record of processing,
 * the TOMs, the DPIA template and the processor note, in German or
 * English, to read here or print.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { PrivacyDocument } from "@bote/protocol/light";
import { language, languages, t, type Language } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { ownProfile } from "../state/session.js";
import {
  availableDocuments,
  closePrivacyDocument,
  erasePersonData,
  exportPersonData,
  loadPeople,
  openDocument,
  people,
  showPrivacyDocument,
  type PersonEntry,
} from "../state/privacy.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { Icon } from "./icons.js";
import { Markdown } from "./Markdown.js";

export function Privacy() {
  const role = ownProfile().role;
  const documents = availableDocuments(role);
  const [lang, setLang] = useState<Language>(language.value);
  useEffect(() => {
    closePrivacyDocument();
    if (role !== "admin") void showPrivacyDocument("info", language.value);
    return closePrivacyDocument;
  }, [role]);
  const doc = openDocument.value;
  const article = useRef<HTMLElement>(null);
  // On a phone the list fills the screen: the opened document comes into view.
  useEffect(() => {
    if (doc !== undefined && role === "admin") article.current?.scrollIntoView({ block: "start" });
  }, [doc, role]);
  return (
    <section class="info" aria-labelledby="privacy-title">
      <header class="bar no-print">
        <a class="icon-button back" href={role === "admin" ? "#/admin" : "#/settings"} aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="privacy-title" class="bar-title">
          {t("privacy.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={isBusy("privacy")}>
        {role === "admin" && (
          <section class="admin-section no-print" aria-labelledby="privacy-list-title">
            <h3 id="privacy-list-title">{t("privacy.documents")}</h3>
            <p class="hint">{t("privacy.explain")}</p>
            <label class="privacy-language">
              {t("privacy.language")}
              <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Language)}>
                {languages.map((l) => (
                  <option value={l}>{t(`settings.languages.${l}`)}</option>
                ))}
              </select>
            </label>
            <ul class="privacy-documents">
              {documents.map((d: PrivacyDocument) => (
                <li>
                  <button
                    class="secondary"
                    disabled={isBusy("privacy")}
                    onClick={() => void showPrivacyDocument(d, lang)}
                  >
                    {t(`privacy.names.${d}`)}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {role === "admin" && <PersonData />}
        {doc && (
          <article ref={article} class="privacy-document" aria-label={doc.title} lang={doc.language}>
            <button class="secondary no-print" onClick={() => window.print()}>
              {t("privacy.print")}
            </button>
            <Markdown text={doc.markdown} />
          </article>
        )}
      </div>
    </section>
  );
}

/** Export (Art. 15/20) for anyone of the organisation, erasure (Art. 17) once a person is deactivated. */
function PersonData() {
  const [erasing, setErasing] = useState<PersonEntry | undefined>();
  useEffect(() => {
    void loadPeople();
  }, []);
  return (
    <section class="admin-section no-print" aria-labelledby="privacy-people-title">
      <h3 id="privacy-people-title">{t("privacy.peopleTitle")}</h3>
      <p class="hint">{t("privacy.peopleExplain")}</p>
      <ul class="privacy-people">
        {people.value.map((person) => (
          <li key={person.accountId}>
            <span class="privacy-person">
              {person.name}
              {person.deactivated && <span class="hint"> · {t("privacy.deactivated")}</span>}
            </span>
            <button
              class="secondary"
              disabled={isBusy("privacy")}
              aria-label={t("privacy.exportPerson", { name: person.name })}
              onClick={() => void exportPersonData(person)}
            >
              {t("privacy.export")}
            </button>
            {person.deactivated && (
              <button
                class="secondary danger"
                disabled={isBusy("privacy")}
                aria-label={t("privacy.erasePerson", { name: person.name })}
                onClick={() => setErasing(person)}
              >
                {t("privacy.erase")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {erasing && (
        <ConfirmDialog
          title={t("privacy.eraseTitle", { name: erasing.name })}
          text={t("privacy.eraseText")}
          confirmLabel={t("privacy.eraseConfirm")}
          busy={isBusy("privacy")}
          onConfirm={() => void erasePersonData(erasing).then((done) => done && setErasing(undefined))}
          onCancel={() => setErasing(undefined)}
        />
      )}
    </section>
  );
}

import { useEffect, useState } from "preact/hooks";
import { CONTACT_POINT_SLUG, type ContactField } from "@bote/protocol/light";
import { t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { holdsOrganisationKey } from "../state/administration.js";
import {
  contactPointViews,
  copyContactPointUrl,
  createContactPoint,
  createdContactPoint,
  loadContactPoints,
  type ContactPointView,
} from "../state/contactPoints.js";
import { directory, loadDirectory } from "../state/directory.js";
import { ownProfile } from "../state/session.js";
import { Icon } from "./icons.js";

/** The admin's contact points: what exists, with address and QR code, and a form for a new one. */
export function ContactPoints() {
  useEffect(() => {
    void loadContactPoints().catch(() => undefined);
    void loadDirectory();
    return () => (createdContactPoint.value = undefined);
  }, []);
  const views = contactPointViews.value;
  const made = createdContactPoint.value;
  const sorted = made === undefined ? views : [...views].sort((a) => (a.contactPoint.slug === made ? -1 : 0));
  return (
    <section class="info" aria-labelledby="contact-points-title">
      <header class="bar">
        <a class="icon-button back" href="#/admin" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="contact-points-title" class="bar-title">
          {t("contactPoints.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={isBusy("contactPoints")}>
        <p class="hint">{t("contactPoints.explain")}</p>
        {!holdsOrganisationKey() && (
          <p class="warning" role="status">
            <Icon name="warning" size={18} />
            {t("admin.noKey")}
          </p>
        )}
        {sorted.length === 0 ? (
          <p class="hint">{t("contactPoints.none")}</p>
        ) : (
          sorted.map((v) => <ContactPointCard key={v.contactPoint.slug} view={v} />)
        )}
        <CreateForm />
      </div>
    </section>
  );
}

function ContactPointCard({ view }: { view: ContactPointView }) {
  const c = view.contactPoint;
  return (
    <section class="admin-section contact-point" aria-label={c.name}>
      <h3>
        {c.name} {!c.open && <span class="hint">({t("contactPoints.closed")})</span>}
      </h3>
      <p class="hint">{t("contactPoints.staffCount", { count: c.staff.length })}</p>
      <p>
        {t("contactPoints.url")}:{" "}
        <a href={view.url} target="_blank" rel="noopener">
          {view.url}
        </a>
      </p>
      <img class="qr" src={view.png} alt={t("contactPoints.qr", { name: c.name })} width={200} height={200} />
      <div class="button-row">
        <a class="secondary link-button" href={view.png} download={`kontakt-${c.slug}.png`}>
          <Icon name="download" size={18} /> {t("contactPoints.downloadPng")}
        </a>
        <a class="secondary link-button" href={view.svg} download={`kontakt-${c.slug}.svg`}>
          <Icon name="download" size={18} /> {t("contactPoints.downloadSvg")}
        </a>
        <button type="button" class="secondary" onClick={() => void copyContactPointUrl(view)}>
          {t("contactPoints.copy")}
        </button>
      </div>
    </section>
  );
}

const FIELDS: readonly ContactField[] = ["name", "phone", "email", "address"];

function CreateForm() {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [staff, setStaff] = useState<ReadonlySet<string>>(new Set([ownProfile().accountId]));
  const [greeting, setGreeting] = useState(t("contactPoints.greetingDefault"));
  const [hours, setHours] = useState("");
  const [privacy, setPrivacy] = useState(t("contactPoints.privacyDefault"));
  const [required, setRequired] = useState<ReadonlySet<ContactField>>(new Set());
  const [retention, setRetention] = useState("90");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const busy = isBusy("contactPoints");
  const members = directory.value ?? [];
  const toggle = <T,>(set: ReadonlySet<T>, value: T): ReadonlySet<T> => {
    const next = new Set(set);
    if (!next.delete(value)) next.add(value);
    return next;
  };
  return (
    <form
      class="admin-section"
      aria-labelledby="create-contact-point-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!CONTACT_POINT_SLUG.test(slug)) return setProblem(t("contactPoints.slugInvalid"));
        if (staff.size === 0) return setProblem(t("contactPoints.staffMissing"));
        setProblem(undefined);
        void createContactPoint({
          name: name.trim(),
          slug,
          staff: [...staff],
          greeting: greeting.trim(),
          openingHours: hours.trim(),
          privacyText: privacy.trim(),
          requiredFields: FIELDS.filter((f) => required.has(f)),
          retentionDays: Math.max(0, Math.min(3650, Number.parseInt(retention, 10) || 0)),
        }).then((ok) => {
          if (ok) {
            setName("");
            setSlug("");
          }
        });
      }}
    >
      <h3 id="create-contact-point-title">{t("contactPoints.create")}</h3>
      <label class="field">
        <span>{t("contactPoints.name")}</span>
        <input
          required
          maxLength={64}
          value={name}
          placeholder={t("contactPoints.namePlaceholder")}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>{t("contactPoints.slug")}</span>
        <input
          required
          maxLength={40}
          value={slug}
          autoCapitalize="off"
          spellcheck={false}
          onInput={(e) => setSlug(e.currentTarget.value.toLowerCase())}
        />
        <span class="hint">{t("contactPoints.slugHint", { example: "dach-anfragen" })}</span>
      </label>
      <fieldset class="choice">
        <legend>{t("contactPoints.staff")}</legend>
        {members.map((m) => (
          <label key={m.accountId}>
            <input
              type="checkbox"
              checked={staff.has(m.accountId)}
              onChange={() => setStaff(toggle(staff, m.accountId))}
            />
            {m.displayName}
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{t("contactPoints.greeting")}</span>
        <textarea rows={2} value={greeting} onInput={(e) => setGreeting(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("contactPoints.hours")}</span>
        <input value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t("contactPoints.privacy")}</span>
        <textarea rows={3} value={privacy} onInput={(e) => setPrivacy(e.currentTarget.value)} />
      </label>
      <fieldset class="choice">
        <legend>{t("contactPoints.required")}</legend>
        {FIELDS.map((f) => (
          <label key={f}>
            <input type="checkbox" checked={required.has(f)} onChange={() => setRequired(toggle(required, f))} />
            {t(`customer.${f}`)}
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{t("contactPoints.retention")}</span>
        <input inputMode="numeric" value={retention} onInput={(e) => setRetention(e.currentTarget.value)} />
      </label>
      {problem !== undefined && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || name.trim() === "" || !holdsOrganisationKey()}>
        {busy ? t("contactPoints.creating") : t("contactPoints.create")}
      </button>
    </form>
  );
}

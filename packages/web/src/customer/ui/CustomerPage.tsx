import { useState } from "preact/hooks";
import type { ContactField } from "@bote/protocol/light";
import { formatBytes, formatTime, language, setLanguage, t } from "../../app/i18n/i18n.js";
import { refusalText, type ContactPointInfo, type Delivery, type InquiryThread } from "../inquiryPort.js";
import {
  addFiles,
  draft,
  files,
  newInquiry,
  openThread,
  pickProblem,
  preparing,
  progress,
  removeFile,
  reply,
  screen,
  send,
  sendProblem,
  unsent,
} from "../state.js";
import { MAX_INQUIRY_FILES } from "../picked.js";

export function CustomerPage() {
  return (
    <div class="k-page">
      <header class="k-top">
        <button
          type="button"
          class="k-lang"
          lang={language.value === "de" ? "en" : "de"}
          onClick={() => void setLanguage(language.value === "de" ? "en" : "de")}
        >
          {t("customer.languageSwitch")}
        </button>
      </header>
      {/* Keyed by the language, so every text is drawn again in the one chosen. */}
      <main class="k-main" key={language.value}>
        {body()}
      </main>
    </div>
  );
}

function body() {
  const s = screen.value;
  switch (s.kind) {
    case "loading":
      return <p aria-busy="true">{t("customer.loading")}</p>;
    case "insecure":
      return <Notice title={t("customer.unknownTitle")} text={t("customer.noSecureContext")} />;
    case "unknown":
      return <Notice title={t("customer.unknownTitle")} text={t("customer.unknown")} />;
    case "closed":
      return (
        <>
          {s.contactPoint.name !== "" && <Intro contactPoint={s.contactPoint} />}
          <Notice title={t("customer.closedTitle")} text={t("customer.closed")} />
        </>
      );
    case "form":
      return (
        <>
          <Intro contactPoint={s.contactPoint} />
          <InquiryForm contactPoint={s.contactPoint} />
        </>
      );
    case "sent":
      return <Sent contactPoint={s.contactPoint} returnLink={s.returnLink} />;
    case "thread":
      return <Thread thread={s.thread} />;
    case "lost":
      return (
        <>
          <Notice title={t("customer.lostTitle")} text={t("customer.lost")} />
          <button type="button" class="k-primary" onClick={newInquiry}>
            {t("customer.newInquiry")}
          </button>
        </>
      );
    default: {
      const unknown: never = s;
      return unknown;
    }
  }
}

function Notice({ title, text }: { title: string; text: string }) {
  return (
    <section class="k-card" role="status">
      <h1>{title}</h1>
      <p>{text}</p>
    </section>
  );
}

function Intro({ contactPoint }: { contactPoint: ContactPointInfo }) {
  return (
    <section class="k-intro">
      <h1>{contactPoint.name}</h1>
      {contactPoint.greeting !== "" && <p class="k-greeting">{contactPoint.greeting}</p>}
      {contactPoint.openingHours !== "" && (
        <p class="k-muted">{t("customer.openingHours", { hours: contactPoint.openingHours })}</p>
      )}
    </section>
  );
}

const CONTACT_FIELDS: readonly ContactField[] = ["name", "phone", "email", "address"];
// inputMode, not type: the phone shows the right keyboard, and the browser judges no address format.
const INPUT_MODES: Record<ContactField, "text" | "tel" | "email"> = {
  name: "text",
  phone: "tel",
  email: "email",
  address: "text",
};
const AUTOCOMPLETE: Record<ContactField, string> = {
  name: "name",
  phone: "tel",
  email: "email",
  address: "street-address",
};

function InquiryForm({ contactPoint }: { contactPoint: ContactPointInfo }) {
  const d = draft.value;
  const sending = progress.value;
  const problem = sendProblem.value;
  const picked = files.value;
  const required = new Set(contactPoint.requiredFields);
  const [privacyOpen, setPrivacyOpen] = useState(false);
  return (
    <form
      class="k-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label class="k-field">
        <span class="k-label">{t("customer.requestLabel")}</span>
        <textarea
          name="text"
          rows={5}
          maxLength={4000}
          value={d.text}
          aria-invalid={problem?.kind === "missing_text"}
          placeholder={t("customer.requestHint")}
          onInput={(e) => (draft.value = { ...draft.value, text: e.currentTarget.value })}
        />
      </label>

      <div class="k-field">
        <div class="k-files">
          {picked.map((f) => (
            <div class="k-file" key={f.id}>
              {f.kind === "photo" ? <img src={f.url} alt={f.name} /> : <span class="k-pdf">PDF</span>}
              <span class="k-file-name">{f.kind === "pdf" ? `${f.name} · ${formatBytes(f.size)}` : f.name}</span>
              <button
                type="button"
                class="k-remove"
                aria-label={t("customer.removeFile", { name: f.name })}
                onClick={() => removeFile(f.id)}
              >
                ×
              </button>
            </div>
          ))}
        </div>
        <label class={`k-secondary ${picked.length >= MAX_INQUIRY_FILES ? "k-disabled" : ""}`}>
          <input
            type="file"
            name="files"
            accept="image/*,application/pdf"
            multiple
            disabled={picked.length >= MAX_INQUIRY_FILES || preparing.value}
            onChange={(e) => {
              const list = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = "";
              void addFiles(list);
            }}
          />
          {preparing.value ? t("customer.preparing") : t("customer.addFiles")}
        </label>
        <p class="k-muted">{t("customer.filesHint", { count: MAX_INQUIRY_FILES })}</p>
        <PickProblemText />
      </div>

      <fieldset class="k-contact">
        <legend>{t("customer.contactTitle")}</legend>
        <p class="k-muted">{t("customer.contactHint")}</p>
        {CONTACT_FIELDS.map((field) => (
          <label class="k-field" key={field}>
            <span class="k-label">
              {t(`customer.${field}`)}
              {required.has(field) && <span class="k-required"> · {t("customer.required")}</span>}
            </span>
            <input
              name={field}
              type="text"
              inputMode={INPUT_MODES[field]}
              autoComplete={AUTOCOMPLETE[field]}
              maxLength={field === "address" ? 300 : 120}
              value={d.contact[field] ?? ""}
              aria-invalid={problem?.kind === "missing_field" && problem.field === field}
              onInput={(e) =>
                (draft.value = { ...draft.value, contact: { ...draft.value.contact, [field]: e.currentTarget.value } })
              }
            />
          </label>
        ))}
      </fieldset>

      <div class="k-consent">
        <label class="k-check">
          <input
            type="checkbox"
            name="consent"
            checked={d.consent}
            aria-invalid={problem?.kind === "missing_consent"}
            onChange={(e) => (draft.value = { ...draft.value, consent: e.currentTarget.checked })}
          />
          <span>{t("customer.consent", { name: contactPoint.organisationName })}</span>
        </label>
        {contactPoint.privacyText !== "" && (
          <details open={privacyOpen} onToggle={(e) => setPrivacyOpen(e.currentTarget.open)}>
            <summary>{t("customer.privacyShow")}</summary>
            <p class="k-privacy">{contactPoint.privacyText}</p>
          </details>
        )}
        <p class="k-muted">
          {contactPoint.retentionDays === 0
            ? t("customer.retentionKept")
            : t("customer.retention", { count: contactPoint.retentionDays })}
        </p>
        <p class="k-muted">🔒 {t("customer.e2e", { name: contactPoint.organisationName })}</p>
      </div>

      {problem !== undefined && (
        <p class="k-problem" role="alert">
          {problemText(problem)}
        </p>
      )}
      {sending?.protecting === true && (
        <p class="k-card k-protecting" role="status">
          {t("customer.protectingExplain")}
        </p>
      )}
      {sending?.offline === true && (
        <p class="k-card k-protecting" role="status">
          {t("customer.offlineExplain")}
        </p>
      )}
      <button type="submit" class="k-primary" disabled={sending !== undefined || preparing.value}>
        {sending === undefined
          ? t("customer.send")
          : sending.protecting
            ? t("customer.protecting")
            : sending.total === 0
              ? t("customer.sending")
              : t("customer.sendingFiles", { done: sending.done, total: sending.total })}
      </button>
    </form>
  );
}

function PickProblemText() {
  const p = pickProblem.value;
  if (p === undefined) return null;
  const text =
    p.code === "too_many"
      ? t("customer.tooManyFiles", { count: p.limit })
      : p.code === "too_large"
        ? t("customer.fileTooLarge", { name: p.name, limit: formatBytes(p.limit) })
        : p.code === "unreadable"
          ? t("customer.photoUnreadable", { name: p.name })
          : t("customer.fileNotAccepted", { name: p.name });
  return (
    <p class="k-problem" role="alert">
      {text}
    </p>
  );
}

function problemText(p: NonNullable<typeof sendProblem.value>): string {
  switch (p.kind) {
    case "missing_text":
      return t("customer.missingText");
    case "missing_field":
      return t("customer.missingField", { field: t(`customer.${p.field}`) });
    case "missing_consent":
      return t("customer.missingConsent");
    case "error":
      if (p.code === "rate_limited") return t("customer.rateLimited");
      if (p.code === "offline") return t("customer.offline");
      return t("customer.failed", { reason: p.message });
    default: {
      const unknown: never = p;
      return unknown;
    }
  }
}

function Sent({ contactPoint, returnLink }: { contactPoint: ContactPointInfo; returnLink: string }) {
  const [copied, setCopied] = useState(false);
  const canShare = typeof navigator.share === "function";
  return (
    <>
      <section class="k-card k-done" role="status">
        <h1>{t("customer.sentTitle")}</h1>
        <p>{t("customer.sent", { name: contactPoint.organisationName })}</p>
      </section>
      <section class="k-card k-keep">
        <h2>{t("customer.keepLinkTitle")}</h2>
        <p>{t("customer.keepLink")}</p>
        <input
          class="k-link"
          readOnly
          aria-label={t("customer.keepLinkTitle")}
          value={returnLink}
          onFocus={(e) => e.currentTarget.select()}
        />
        <div class="k-actions">
          <button
            type="button"
            class="k-secondary"
            onClick={() =>
              void navigator.clipboard
                ?.writeText(returnLink)
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {copied ? t("customer.copied") : t("customer.copyLink")}
          </button>
          {canShare && (
            <button
              type="button"
              class="k-secondary"
              onClick={() => void navigator.share({ title: contactPoint.name, url: returnLink }).catch(() => {})}
            >
              {t("customer.shareLink")}
            </button>
          )}
        </div>
        <button type="button" class="k-primary" onClick={() => void openThread(returnLink)}>
          {t("customer.openThread")}
        </button>
      </section>
    </>
  );
}

function Thread({ thread }: { thread: InquiryThread }) {
  const messages = thread.messages.value;
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const problem = sendProblem.value;
  const answered = messages.some((m) => !m.fromCustomer);
  return (
    <>
      <h1 class="k-thread-title">{t("customer.threadTitle", { name: thread.contactPointName })}</h1>
      <ol class="k-thread">
        {messages.map((m) => (
          <li key={m.id} class={m.fromCustomer ? "k-msg k-out" : "k-msg k-in"}>
            <span class="k-sender">{m.fromCustomer ? t("customer.you") : m.senderName}</span>
            {m.text !== "" && <p>{m.text}</p>}
            {m.photos.length > 0 && (
              <div class="k-photos">
                {m.photos.map((url) => (
                  <img key={url} src={url} alt="" />
                ))}
              </div>
            )}
            {m.documents.map((name) => (
              <span key={name} class="k-doc">
                PDF · {name}
              </span>
            ))}
            <time class="k-muted">{formatTime(m.sentAtMs)}</time>
            <DeliveryNote delivery={m.delivery} />
          </li>
        ))}
      </ol>
      {thread.gone.value ? (
        <p class="k-problem" role="status">
          {t("customer.gone")}
        </p>
      ) : (
        !answered && <p class="k-muted">{t("customer.noAnswerYet")}</p>
      )}
      {unsent.value && <p class="k-muted">{t("customer.keepOpen")}</p>}
      {!thread.gone.value && (
        <form
          class="k-reply"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            void reply(text)
              .then((ok) => ok && setText(""))
              .finally(() => setBusy(false));
          }}
        >
          <label class="k-field">
            <span class="k-label">{t("customer.replyLabel", { name: thread.contactPointName })}</span>
            <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          {problem?.kind === "error" && (
            <p class="k-problem" role="alert">
              {problemText(problem)}
            </p>
          )}
          <button type="submit" class="k-primary" disabled={busy || text.trim() === ""}>
            {t("customer.replySend")}
          </button>
        </form>
      )}
    </>
  );
}

/** A line of the customer's that the server has not taken (yet): said in words beside its time. */
function DeliveryNote({ delivery }: { delivery: Delivery }) {
  switch (delivery.kind) {
    case "sent":
      return null;
    case "sending":
      return (
        <span class="k-delivery k-muted" role="status">
          {t("customer.lineSending")}
        </span>
      );
    case "failed":
      return (
        <span class="k-delivery k-problem" role="status">
          {delivery.code === undefined
            ? t("customer.lineNotSent")
            : t("customer.lineNotSentBecause", { reason: refusalText(delivery.code) })}
        </span>
      );
    default: {
      const unknown: never = delivery;
      return unknown;
    }
  }
}

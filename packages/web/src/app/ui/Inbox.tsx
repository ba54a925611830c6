import { useEffect, useState } from "preact/hooks";
import type { InquiryStatus, InquirySummary } from "@bote/client";
import type { Attachment } from "@bote/protocol/light";
import { formatDay, formatDateTime, t } from "../i18n/i18n.js";
import {
  STATUSES,
  addNote,
  assign,
  assignToMe,
  colleagueName,
  eraseInquiry,
  exportPdf,
  exportZip,
  inboxBusy,
  inquiries,
  loadInquiry,
  openInquiry,
  openInquiryFile,
  refreshInbox,
  replyToCustomer,
  setArchived,
  setStatus,
  retentionDaysOf,
  staffOf,
  statusText,
  type InquiryDetail,
  type InquiryLine,
} from "../state/inbox.js";
import { thumbnailUrl } from "../state/files.js";
import { ownProfile } from "../state/session.js";
import { ConfirmDialog } from "./ConfirmDialog.js";
import { Icon } from "./icons.js";

type Filter = "open" | "mine" | "done";

/** The team inbox: every inquiry of the contact points this person answers for, newest activity first. */
export function Inbox() {
  const [filter, setFilter] = useState<Filter>("open");
  useEffect(() => void refreshInbox().catch(() => undefined), []);
  const self = ownProfile().accountId;
  const list = (inquiries.value ?? [])
    .filter((i) =>
      filter === "done" ? i.status === "done" : i.status !== "done" && (filter === "open" || i.assignee === self),
    )
    .sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  return (
    <section class="info" aria-labelledby="inbox-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="inbox-title" class="bar-title">
          {t("inbox.title")}
        </h2>
      </header>
      <div class="info-body">
        <div class="tabs" role="tablist" aria-label={t("inbox.filter")}>
          {(["open", "mine", "done"] as const).map((f) => (
            <button
              key={f}
              role="tab"
              type="button"
              aria-selected={filter === f}
              class={filter === f ? "tab selected" : "tab"}
              onClick={() => setFilter(f)}
            >
              {t(`inbox.filters.${f}`)}
            </button>
          ))}
        </div>
        {inquiries.value === undefined ? (
          <p aria-busy="true">{t("app.loading")}</p>
        ) : list.length === 0 ? (
          <p class="hint">{staffOf.value.length === 0 ? t("inbox.notStaff") : t(`inbox.empty.${filter}`)}</p>
        ) : (
          <ul class="inquiry-list" aria-label={t("inbox.title")}>
            {list.map((i) => (
              <InquiryItem key={i.conversationId} inquiry={i} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function InquiryItem({ inquiry }: { inquiry: InquirySummary }) {
  const assignee = colleagueName(inquiry.assignee);
  return (
    <li>
      <a class={`inquiry-item status-${inquiry.status}`} href={`#/inbox/${inquiry.conversationId}`}>
        <span class="inquiry-top">
          <strong>{inquiry.customerName}</strong>
          <time>{formatDay(inquiry.lastActivityAt)}</time>
        </span>
        <span class="inquiry-text">{inquiry.text.split("\n")[0]}</span>
        <span class="inquiry-meta">
          <span class={`status-badge status-${inquiry.status}`}>{statusText(inquiry.status)}</span>
          {assignee !== undefined && <span>{t("inbox.assignedTo", { name: assignee })}</span>}
          {inquiry.files > 0 && <span>{t("inbox.files", { count: inquiry.files })}</span>}
          {inquiry.contactPointName !== "" && <span>{inquiry.contactPointName}</span>}
        </span>
      </a>
    </li>
  );
}

/** One inquiry: the request with its photos, what staff agreed, the conversation with the customer, the export. */
export function Inquiry({ conversationId }: { conversationId: string }) {
  useEffect(() => {
    openInquiry.value = undefined;
    void loadInquiry(conversationId).catch(() => undefined);
    return () => (openInquiry.value = undefined);
  }, [conversationId]);
  const detail = openInquiry.value;
  return (
    <section class="info" aria-labelledby="inquiry-title">
      <header class="bar">
        <a class="icon-button back" href="#/inbox" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="inquiry-title" class="bar-title">
          {detail?.summary.customerName ?? t("inbox.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={inboxBusy()}>
        {detail === undefined ? <p aria-busy="true">{t("app.loading")}</p> : <InquiryBody detail={detail} />}
      </div>
    </section>
  );
}

function InquiryBody({ detail }: { detail: InquiryDetail }) {
  const s = detail.summary;
  const first = detail.lines.find((l) => l.messageId === s.messageId);
  const rest = detail.lines.filter((l) => l.messageId !== s.messageId);
  return (
    <>
      <section class="admin-section" aria-label={t("inbox.request")}>
        <p class="hint">
          {s.contactPointName} · {t("inbox.receivedAt", { time: formatDateTime(s.receivedAt) })}
        </p>
        <p class="inquiry-request">{s.text}</p>
        {first !== undefined && <Files line={first} />}
        <Contact inquiry={s} />
      </section>
      <Handling detail={detail} />
      <section class="admin-section" aria-labelledby="conversation-title">
        <h3 id="conversation-title">{t("inbox.conversation")}</h3>
        {rest.length === 0 ? (
          <p class="hint">{t("inbox.noReplyYet")}</p>
        ) : (
          <ol class="inquiry-thread">
            {rest.map((l) => (
              <li key={l.messageId} class={l.fromCustomer ? "from-customer" : "from-staff"}>
                <span class="sender">
                  {l.fromCustomer ? s.customerName : l.senderName} · {formatDateTime(l.sentAt)}
                </span>
                {l.text !== "" && <p>{l.text}</p>}
                <Files line={l} />
              </li>
            ))}
          </ol>
        )}
        <ReplyForm conversationId={s.conversationId} customer={s.customerName} />
      </section>
      <Notes detail={detail} />
      <section class="admin-section" aria-labelledby="export-title">
        <h3 id="export-title">{t("inbox.exportHeading")}</h3>
        <p class="hint">{t("inbox.exportExplain")}</p>
        <div class="button-row">
          <button type="button" class="secondary" disabled={inboxBusy()} onClick={() => void exportPdf(detail)}>
            <Icon name="download" size={18} /> {t("inbox.exportPdf")}
          </button>
          <button type="button" class="secondary" disabled={inboxBusy()} onClick={() => void exportZip(detail)}>
            <Icon name="download" size={18} /> {t("inbox.exportZip")}
          </button>
        </div>
      </section>
      {ownProfile().role === "admin" && <Erasure summary={s} />}
    </>
  );
}

/** For admins: the customer asked for their data to be erased (Art. 17 GDPR). */
function Erasure({ summary: s }: { summary: InquirySummary }) {
  const [asking, setAsking] = useState(false);
  return (
    <section class="admin-section" aria-labelledby="erase-title">
      <h3 id="erase-title">{t("inbox.eraseHeading")}</h3>
      <p class="hint">{t("inbox.eraseExplain")}</p>
      <button type="button" class="secondary danger" disabled={inboxBusy()} onClick={() => setAsking(true)}>
        {t("inbox.eraseButton")}
      </button>
      {asking && (
        <ConfirmDialog
          title={t("inbox.eraseTitle", { name: s.customerName })}
          text={t("inbox.eraseText")}
          confirmLabel={t("inbox.eraseConfirm")}
          busy={inboxBusy()}
          onConfirm={() => void eraseInquiry(s.conversationId, s.customerName).then((done) => done || setAsking(false))}
          onCancel={() => setAsking(false)}
        />
      )}
    </section>
  );
}

function Contact({ inquiry }: { inquiry: InquirySummary }) {
  const rows = (["name", "phone", "email", "address"] as const).flatMap((f) =>
    inquiry.contact[f] === undefined ? [] : [[f, inquiry.contact[f]] as const],
  );
  if (rows.length === 0) return <p class="hint">{t("inbox.noContact")}</p>;
  return (
    <dl class="contact-data">
      {rows.map(([field, value]) => (
        <div key={field}>
          <dt>{t(`customer.${field}`)}</dt>
          <dd>
            {field === "phone" ? (
              <a href={`tel:${value.replace(/[^\d+]/g, "")}`}>{value}</a>
            ) : field === "email" ? (
              <a href={`mailto:${value}`}>{value}</a>
            ) : (
              value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Photos as thumbnails that open the decrypted photo; documents as links that download them. */
function Files({ line }: { line: InquiryLine }) {
  if (line.attachments.length === 0) return null;
  return (
    <div class="inquiry-files">
      {line.attachments.map((a, index) => (
        <FileItem key={index} line={line} attachment={a} index={index} />
      ))}
    </div>
  );
}

function FileItem({ line, attachment, index }: { line: InquiryLine; attachment: Attachment; index: number }) {
  const key = `${line.messageId}:${index}`;
  const thumb = thumbnailUrl(key, attachment);
  const open = () => void openInquiryFile(line.messageId, index, attachment.mediaType);
  return thumb !== undefined ? (
    <button
      type="button"
      class="inquiry-photo"
      onClick={open}
      aria-label={t("inbox.openFile", { name: attachment.fileName })}
    >
      <img src={thumb} alt={attachment.fileName} />
    </button>
  ) : (
    <button type="button" class="secondary inquiry-doc" onClick={open}>
      <Icon name="file" size={18} /> {attachment.fileName}
    </button>
  );
}

function Handling({ detail }: { detail: InquiryDetail }) {
  const s = detail.summary;
  const self = ownProfile().accountId;
  const staff = staffOf.value.flatMap((c) => c.staff).length > 0;
  return (
    <section class="admin-section" aria-labelledby="handling-title">
      <h3 id="handling-title">{t("inbox.handling")}</h3>
      <label class="field">
        <span>{t("inbox.statusLabel")}</span>
        <select
          value={s.status}
          disabled={inboxBusy()}
          onChange={(e) => void setStatus(s.conversationId, e.currentTarget.value as InquiryStatus)}
        >
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {statusText(status)}
            </option>
          ))}
        </select>
      </label>
      <p>
        {s.assignee === undefined
          ? t("inbox.nobodyAssigned")
          : t("inbox.assignedTo", { name: s.assignee === self ? t("inbox.me") : (colleagueName(s.assignee) ?? "") })}
      </p>
      <div class="button-row">
        {s.assignee !== self && (
          <button
            type="button"
            class="primary"
            disabled={inboxBusy() || !staff}
            onClick={() => void assignToMe(s.conversationId)}
          >
            {t("inbox.assignToMe")}
          </button>
        )}
        {s.assignee !== undefined && (
          <button
            type="button"
            class="secondary"
            disabled={inboxBusy()}
            onClick={() => void assign(s.conversationId, null)}
          >
            {t("inbox.unassign")}
          </button>
        )}
      </div>
      <Retention summary={s} />
    </section>
  );
}

/** Whether a done inquiry is deleted after the contact point's days, and the mark that keeps it. */
function Retention({ summary: s }: { summary: InquiryDetail["summary"] }) {
  const days = retentionDaysOf(s.contactPointId);
  // The box shows the click at once; the inquiry's state follows when the update is sent.
  const [wanted, setWanted] = useState<boolean | undefined>(undefined);
  const archived = wanted ?? s.archived;
  return (
    <div class="retention">
      <label class="checkbox">
        <input
          type="checkbox"
          checked={archived}
          disabled={inboxBusy()}
          onChange={(e) => {
            const checked = e.currentTarget.checked;
            setWanted(checked);
            void setArchived(s.conversationId, checked).finally(() => setWanted(undefined));
          }}
        />
        <span>{t("inbox.archive")}</span>
      </label>
      <p class="hint">
        {archived
          ? t("inbox.archivedExplain")
          : days === undefined || days === 0
            ? t("inbox.keptExplain")
            : t("inbox.retentionExplain", { count: days })}
      </p>
    </div>
  );
}

function Notes({ detail }: { detail: InquiryDetail }) {
  const [text, setText] = useState("");
  const id = detail.summary.conversationId;
  return (
    <section class="admin-section notes" aria-labelledby="notes-title">
      <h3 id="notes-title">{t("inbox.notes")}</h3>
      <p class="hint">
        <Icon name="lock" size={16} /> {t("inbox.notesExplain")}
      </p>
      {detail.notes.length > 0 && (
        <ol class="note-list">
          {detail.notes.map((n) => (
            <li key={n.messageId}>
              <span class="sender">
                {n.authorName} · {formatDateTime(n.sentAt)}
              </span>
              <p>{n.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addNote(id, text.trim()).then((ok) => ok && setText(""));
        }}
      >
        <label class="field">
          <span>{t("inbox.noteLabel")}</span>
          <textarea rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit" class="secondary" disabled={inboxBusy() || text.trim() === ""}>
          {t("inbox.addNote")}
        </button>
      </form>
    </section>
  );
}

function ReplyForm({ conversationId, customer }: { conversationId: string; customer: string }) {
  const [text, setText] = useState("");
  return (
    <form
      class="reply-form"
      onSubmit={(e) => {
        e.preventDefault();
        void replyToCustomer(conversationId, text.trim()).then((ok) => ok && setText(""));
      }}
    >
      <label class="field">
        <span>{t("inbox.replyLabel", { name: customer })}</span>
        <textarea rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <p class="hint">{t("inbox.replyExplain")}</p>
      <button type="submit" class="primary" disabled={inboxBusy() || text.trim() === ""}>
        {t("inbox.reply")}
      </button>
    </form>
  );
}

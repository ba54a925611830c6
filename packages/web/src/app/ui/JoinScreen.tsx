import { useEffect, useMemo, useState } from "preact/hooks";
import { POST_QUANTUM_CIPHERSUITE } from "@bote/core/light";
import { ClientError } from "@bote/client/light";
import { language, t } from "../i18n/i18n.js";
import { fetchPrivacyInfo } from "../state/privacy.js";
import { Markdown } from "./Markdown.js";
import { previewInvitation, type InvitationVerdict } from "../state/invitation.js";
import { checkJoinLink, errorText, join } from "../state/session.js";
import { LanguageSwitch } from "./Settings.js";

/**
 * Opening an invitation link. The organisation named the person in the
 * invitation, so a colleague only confirms; the first admin's bare link asks
 * for a name (and the organisation's suite). A broken, expired, used or
 * revoked link says so before anything is typed: the link is read here, and
 * the server asked about its token.
 */
export function JoinScreen({ link }: { link: string }) {
  const preview = useMemo(() => previewInvitation(link), [link]);
  const usable = preview.kind === "invited" || preview.kind === "firstAdmin";
  const [verdict, setVerdict] = useState<InvitationVerdict | undefined>();
  useEffect(() => {
    if (usable) void checkJoinLink(link).then(setVerdict);
  }, [link, usable]);
  if (usable && verdict === undefined) {
    return (
      <main class="center" aria-busy="true">
        <p>{t("join.checking")}</p>
      </main>
    );
  }
  if (verdict === "used") return <LinkProblem text={t("join.used")} />;
  if (verdict === "gone") return <LinkProblem text={t("join.gone")} />;
  switch (preview.kind) {
    case "invalid":
      return <LinkProblem text={t("join.invalid")} />;
    case "expired":
      return <LinkProblem text={t("join.expired")} />;
    case "invited":
      return (
        <JoinForm link={link}>
          <p class="invited-as">{t("join.invitedAs", { name: preview.displayName })}</p>
          <dl class="facts">
            <dt>{t("join.roleLabel")}</dt>
            <dd>{preview.role === "admin" ? t("settings.roleAdmin") : t("settings.roleMember")}</dd>
          </dl>
          <p class="hint">{t("join.nameFixedHint")}</p>
          <p>{t("join.intro")}</p>
        </JoinForm>
      );
    case "firstAdmin":
      return <FirstAdminForm link={link} />;
  }
}

function LinkProblem({ text }: { text: string }) {
  return (
    <main class="center">
      <div class="card">
        <h1>{t("join.problemTitle")}</h1>
        <p class="error" role="alert">
          {text}
        </p>
        <LanguageSwitch />
      </div>
    </main>
  );
}

/** A refused redemption (used, revoked, expired on the server) also ends in "ask for a new link". */
function joinProblem(err: unknown): string {
  if (err instanceof ClientError && err.code.startsWith("invitation_")) {
    return t("join.redeemFailed", { reason: errorText(err) });
  }
  return errorText(err);
}

function JoinForm({
  link,
  firstAdmin,
  ready = true,
  children,
}: {
  link: string;
  firstAdmin?: () => Parameters<typeof join>[1];
  ready?: boolean;
  children: preact.ComponentChildren;
}) {
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await join(link, firstAdmin?.());
    } catch (err) {
      setProblem(joinProblem(err));
      setBusy(false);
    }
  };
  return (
    <main class="center">
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h1>{t("join.title")}</h1>
        {children}
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !ready}>
          {busy ? t("join.joining") : t("join.submit")}
        </button>
        <PrivacyInformation link={link} />
        <LanguageSwitch />
      </form>
    </main>
  );
}

function FirstAdminForm({ link }: { link: string }) {
  const [name, setName] = useState("");
  const [postQuantum, setPostQuantum] = useState(false);
  return (
    <JoinForm
      link={link}
      ready={name.trim() !== ""}
      firstAdmin={() => ({
        displayName: name,
        ...(postQuantum ? { ciphersuite: POST_QUANTUM_CIPHERSUITE } : {}),
      })}
    >
      <p>{t("join.firstAdminIntro")}</p>
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
      <label class="checkbox">
        <input type="checkbox" checked={postQuantum} onChange={(e) => setPostQuantum(e.currentTarget.checked)} />
        <span>{t("join.postQuantum")}</span>
      </label>
      <p class="hint">{t("join.postQuantumHint")}</p>
    </JoinForm>
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

/** The organisation's Art. 13 information, read from the server when the person opens it. */
function PrivacyInformation({ link }: { link: string }) {
  const [text, setText] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  const load = (event: Event) => {
    if (!(event.currentTarget as HTMLDetailsElement).open || text !== undefined) return;
    fetchPrivacyInfo(link, language.value).then(
      (doc) => setText(doc.markdown),
      () => setFailed(true),
    );
  };
  return (
    <details class="privacy-info" onToggle={load}>
      <summary>{t("privacy.joinSummary")}</summary>
      {failed && <p class="error">{t("privacy.unavailable")}</p>}
      {text !== undefined && <Markdown text={text} />}
    </details>
  );
}

import { language, t } from "../i18n/i18n.js";
import { route } from "../state/route.js";
import { Inbox, Inquiry } from "./Inbox.js";
import { ContactPoints } from "./ContactPoints.js";
import { Directory } from "./Directory.js";
import { BatchInvite } from "./BatchInvite.js";
import { lockEnabled, phase, toast } from "../state/session.js";
import { policy } from "../state/policies.js";
import { PinRequiredScreen } from "./Policies.js";
import { Privacy } from "./Privacy.js";
import { incomingNotice } from "../state/notifications.js";
import { ChatList } from "./ChatList.js";
import { Chat } from "./Chat.js";
import { ChatInfo } from "./ChatInfo.js";
import { JoinScreen, WelcomeScreen } from "./JoinScreen.js";
import { Administration } from "./Administration.js";
import { InviteScreen } from "./Invite.js";
import { DeactivatedScreen, OutdatedScreen } from "./EndScreens.js";
import { LockScreen } from "./LockScreen.js";
import { NewChat } from "./NewChat.js";
import { PhotoViewer } from "./PhotoViewer.js";
import { Settings } from "./Settings.js";
import { Verify } from "./Verify.js";
import { LinkDevice } from "./LinkDevice.js";
import { LinkScreen, WithLinkOffer } from "./LinkScreen.js";
import { InstallOffer } from "./InstallOffer.js";
import { originVerdict } from "../state/canonicalOrigin.js";
import { OriginScreen } from "./OriginScreen.js";
import { AuditLog } from "./AuditLog.js";
import { SetupWizard } from "./SetupWizard.js";
import { checkSetup } from "../state/setup.js";
import { useEffect } from "preact/hooks";

/** Phone: one pane at a time. Desktop (≥ 900 px): the chat list stays on the left. */
export function App() {
  const elsewhere = originVerdict.value;
  if (elsewhere !== undefined) return <OriginScreen key={language.value} verdict={elsewhere} />;
  const current = phase.value;
  switch (current.kind) {
    case "loading":
      return (
        <main class="center" aria-busy="true">
          <p>{t("app.loading")}</p>
        </main>
      );
    case "failed":
      return (
        <main class="center">
          <div class="card ended">
            <h1>{t("app.failedTitle")}</h1>
            <p role="alert">{current.message}</p>
          </div>
        </main>
      );
    case "locked":
      return <LockScreen />;
    case "welcome":
      return (
        <WithLinkOffer key={language.value}>
          <WelcomeScreen />
        </WithLinkOffer>
      );
    case "join":
      return (
        <WithLinkOffer key={language.value}>
          <JoinScreen link={current.link} />
        </WithLinkOffer>
      );
    case "link":
      return <LinkScreen key={language.value} link={current.link} />;
    case "deactivated":
      return <DeactivatedScreen key={language.value} wiped={current.wiped === true} />;
    case "outdated":
      return <OutdatedScreen key={language.value} />;
    case "ready":
      // The organisation requires an app lock: nothing else until this browser has one.
      if (policy.value?.appLockRequired === true && !lockEnabled.value) {
        return <PinRequiredScreen key={language.value} minPin={policy.value.minPinLength} />;
      }
      // Keyed by language: a switch re-renders every text (signals would only update the components that read it).
      return <Ready key={language.value} />;
  }
}

function Ready() {
  useEffect(() => {
    void checkSetup();
  }, []);
  const r = route.value;
  const detail = r.screen !== "chats";
  return (
    <div class={`layout ${detail ? "has-detail" : ""}`}>
      <aside class="sidebar" aria-label={t("chatList.title")}>
        <ChatList />
      </aside>
      <main class="detail">{detail ? <Detail /> : <EmptyDetail />}</main>
      <Notices />
    </div>
  );
}

function Detail() {
  const r = route.value;
  switch (r.screen) {
    case "chats":
      return <EmptyDetail />;
    case "chat":
      return <Chat key={r.conversationId} conversationId={r.conversationId} />;
    case "chatInfo":
      return <ChatInfo key={r.conversationId} conversationId={r.conversationId} />;
    case "viewer":
      return <PhotoViewer conversationId={r.conversationId} messageId={r.messageId} />;
    case "newChat":
      return <NewChat group={false} />;
    case "newGroup":
      return <NewChat group={true} />;
    case "verify":
      return <Verify key={r.accountId} accountId={r.accountId} />;
    case "settings":
      return <Settings />;
    case "administration":
      return <Administration />;
    case "invite":
      return <InviteScreen />;
    case "linkDevice":
      return <LinkDevice />;
    case "inbox":
      return <Inbox />;
    case "inquiry":
      return <Inquiry key={r.conversationId} conversationId={r.conversationId} />;
    case "contactPoints":
      return <ContactPoints />;
    case "colleagues":
      return <Directory />;
    case "batchInvite":
      return <BatchInvite />;
    case "audit":
      return <AuditLog />;
    case "setup":
      return <SetupWizard />;
    case "privacy":
      return <Privacy />;
  }
}

function EmptyDetail() {
  return (
    <div class="empty-detail">
      <p>{t("chat.pickOne")}</p>
    </div>
  );
}

function Notices() {
  const notice = incomingNotice.value;
  const message = toast.value;
  return (
    <div class="notices" aria-live="polite">
      <InstallOffer />
      {notice && (
        <a class="notice" href={notice.href}>
          {notice.text}
        </a>
      )}
      {message && (
        <div class="notice" role="status">
          {message.text}
        </div>
      )}
    </div>
  );
}

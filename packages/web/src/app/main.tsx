import { render } from "preact";
import { effect } from "@preact/signals";
import "./styles.css";
import { language, startI18n } from "./i18n/i18n.js";
import { watchRoute } from "./state/route.js";
import { conversations, start } from "./state/session.js";
import { setTitleUnread } from "./state/notifications.js";
import { App } from "./ui/App.js";
import { watchInstallPrompt } from "./state/install.js";
import { arriveAtPublicUrl } from "./state/canonicalOrigin.js";

async function main(): Promise<void> {
  await startI18n();
  watchRoute();
  watchInstallPrompt();
  const root = document.getElementById("app");
  if (root === null) throw new Error("index.html has no #app");
  render(<App />, root);
  // Before a device is opened or an invitation read: only the public URL may spend either.
  if (!(await arriveAtPublicUrl())) return;
  // The tab's title counts unread messages, in the language on screen.
  effect(() => {
    void language.value;
    setTitleUnread(conversations.value.reduce((sum, c) => sum + c.unread, 0));
  });
  // The app shell only; API answers and decrypted content are never cached (see sw.ts).
  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    navigator.serviceWorker.register("/sw.js").catch((err: unknown) => console.warn("bote: service worker", err));
  }
  await start();
}

void main();

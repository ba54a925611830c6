/**
 * The browser's offer to install Bote on the home screen (beforeinstallprompt,
 * Chromium only), shown once: accepted or declined, it is not offered again.
 * Installed, Bote opens like an app, and phones deliver its notifications.
 */
import { signal } from "@preact/signals";

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
}

const OFFERED = "bote.installOffered";

export const installOffer = signal<InstallPromptEvent | undefined>(undefined);

export function watchInstallPrompt(): void {
  addEventListener("beforeinstallprompt", (event) => {
    // The browser's own mini-bar would come at a moment of its choosing; the app offers it once, in its words.
    event.preventDefault();
    if (globalThis.localStorage?.getItem(OFFERED) === null) installOffer.value = event as InstallPromptEvent;
  });
  addEventListener("appinstalled", () => settle());
}

export async function acceptInstall(): Promise<void> {
  const offer = installOffer.value;
  settle();
  await offer?.prompt();
}

export function declineInstall(): void {
  settle();
}

function settle(): void {
  installOffer.value = undefined;
  globalThis.localStorage?.setItem(OFFERED, "1");
}

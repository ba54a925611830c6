/**
 * Screens are addressed by the URL's hash (`#/chat/<id>`), so the server
 * only ever serves `/` and `/join`, and the back button works. Ids are
 * base64url and need no escaping.
 */
import { signal } from "@preact/signals";

export type Route =
  | { screen: "chats" }
  | { screen: "chat"; conversationId: string }
  | { screen: "chatInfo"; conversationId: string }
  | { screen: "viewer"; conversationId: string; messageId: string }
  | { screen: "newChat" }
  | { screen: "newGroup" }
  | { screen: "verify"; accountId: string }
  | { screen: "settings" }
  | { screen: "administration" }
  | { screen: "invite" }
  | { screen: "linkDevice" }
  | { screen: "inbox" }
  | { screen: "inquiry"; conversationId: string }
  | { screen: "contactPoints" }
  | { screen: "colleagues" }
  | { screen: "batchInvite" }
  | { screen: "audit" }
  | { screen: "setup" }
  | { screen: "privacy" };

const ID = "([A-Za-z0-9_-]{1,64})";
const patterns: [RegExp, (m: RegExpExecArray) => Route][] = [
  [new RegExp(`^#/chat/${ID}$`), (m) => ({ screen: "chat", conversationId: m[1]! })],
  [new RegExp(`^#/chat/${ID}/info$`), (m) => ({ screen: "chatInfo", conversationId: m[1]! })],
  [new RegExp(`^#/chat/${ID}/photo/${ID}$`), (m) => ({ screen: "viewer", conversationId: m[1]!, messageId: m[2]! })],
  [/^#\/new$/, () => ({ screen: "newChat" })],
  [/^#\/new-group$/, () => ({ screen: "newGroup" })],
  [new RegExp(`^#/verify/${ID}$`), (m) => ({ screen: "verify", accountId: m[1]! })],
  [/^#\/settings$/, () => ({ screen: "settings" })],
  [/^#\/admin$/, () => ({ screen: "administration" })],
  [/^#\/invite$/, () => ({ screen: "invite" })],
  [/^#\/link-device$/, () => ({ screen: "linkDevice" })],
  [/^#\/inbox$/, () => ({ screen: "inbox" })],
  [new RegExp(`^#/inbox/${ID}$`), (m) => ({ screen: "inquiry", conversationId: m[1]! })],
  [/^#\/contact-points$/, () => ({ screen: "contactPoints" })],
  [/^#\/colleagues$/, () => ({ screen: "colleagues" })],
  [/^#\/invite-csv$/, () => ({ screen: "batchInvite" })],
  [/^#\/audit$/, () => ({ screen: "audit" })],
  [/^#\/setup$/, () => ({ screen: "setup" })],
  [/^#\/privacy$/, () => ({ screen: "privacy" })],
];

export function parseRoute(hash: string): Route {
  for (const [pattern, build] of patterns) {
    const match = pattern.exec(hash);
    if (match !== null) return build(match);
  }
  return { screen: "chats" };
}

export function routeHash(route: Route): string {
  switch (route.screen) {
    case "chats":
      return "#/";
    case "chat":
      return `#/chat/${route.conversationId}`;
    case "chatInfo":
      return `#/chat/${route.conversationId}/info`;
    case "viewer":
      return `#/chat/${route.conversationId}/photo/${route.messageId}`;
    case "newChat":
      return "#/new";
    case "newGroup":
      return "#/new-group";
    case "verify":
      return `#/verify/${route.accountId}`;
    case "settings":
      return "#/settings";
    case "administration":
      return "#/admin";
    case "invite":
      return "#/invite";
    case "linkDevice":
      return "#/link-device";
    case "inbox":
      return "#/inbox";
    case "inquiry":
      return `#/inbox/${route.conversationId}`;
    case "contactPoints":
      return "#/contact-points";
    case "colleagues":
      return "#/colleagues";
    case "batchInvite":
      return "#/invite-csv";
    case "audit":
      return "#/audit";
    case "setup":
      return "#/setup";
    case "privacy":
      return "#/privacy";
  }
}

export const route = signal<Route>(parseRoute(globalThis.location?.hash ?? ""));

/** A message to show when its chat opens (a search hit): the chat scrolls to it and marks it briefly. */
export const focusedMessage = signal<{ conversationId: string; messageId: string } | undefined>(undefined);

export function navigate(next: Route, replace = false): void {
  const hash = routeHash(next);
  if (replace) history.replaceState(null, "", `/${hash}`);
  else history.pushState(null, "", `/${hash}`);
  route.value = next;
}

export function watchRoute(): void {
  addEventListener("popstate", () => {
    route.value = parseRoute(location.hash);
  });
  addEventListener("hashchange", () => {
    route.value = parseRoute(location.hash);
  });
}

/** The conversation on screen, if any: its messages are read as they arrive. */
export function openConversationId(current: Route): string | undefined {
  return current.screen === "chat" || current.screen === "chatInfo" || current.screen === "viewer"
    ? current.conversationId
    : undefined;
}

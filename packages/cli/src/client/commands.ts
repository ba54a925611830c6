/** The scriptable client: `bote join`, `send`, `sync`, `group …`, … on top of the SDK. */
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { basename, extname } from "node:path";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { bytesFrom, type BoteClient } from "@bote/client";
import { computeSafetyNumber, POST_QUANTUM_CIPHERSUITE, verificationQrPayload } from "@bote/core";
import type { Command } from "commander";
import QRCode from "qrcode";
import { UsageError } from "../messages.js";
import { clientMessages, formatSize } from "./clientMessages.js";
import { printMessage, type Printer } from "./print.js";
import { resolveAccount, resolveAccounts, resolveChat, resolveTarget } from "./resolve.js";
import { joinProfile, withClient, type ClientOptions } from "./session.js";

type Options = ClientOptions & Record<string, unknown>;

function clientCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option("--profile <dir>", "Profil dieses Geräts / this device's profile (default ~/.bote or $BOTE_PROFILE)")
    .option("--json", "eine JSON-Zeile pro Ergebnis / one JSON line per result");
}

const MEDIA_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".heic": "image/heic",
  ".pdf": "application/pdf",
  ".txt": "text/plain",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export function registerClientCommands(program: Command): void {
  clientCommand(program, "join", "Tritt mit einer Einladung bei / joins with an invitation link")
    .argument("<invitation-url>")
    .requiredOption("--name <display name>", "Anzeigename / display name")
    .option(
      "--post-quantum",
      "nur die erste Administratorin: Organisation mit X-Wing (post-quanten-sicher) / first admin only: organisation uses X-Wing",
    )
    .action(async (url: string, options: Options) => {
      const suite = options.postQuantum === true ? POST_QUANTUM_CIPHERSUITE : undefined;
      const { client, printer } = await joinProfile(options, url, String(options.name), suite);
      try {
        const t = clientMessages(printer.language);
        const profile = client.profile;
        // Only the first admin's link (from the server) carries no invitation key: that device made the organisation key.
        if (!printer.json && profile.organisationSignKey !== undefined && !url.includes("&k=")) {
          printer.out(t.orgKeyCreated, {});
        }
        printer.out(t.joined(profile.organisationName, client.device.credential.displayName), {
          type: "joined",
          accountId: profile.accountId,
          deviceId: profile.deviceId,
          role: profile.role,
          organisation: profile.organisationName,
          holdsOrganisationKey: profile.organisationSignKey !== undefined,
          ciphersuite: client.device.ciphersuite,
        });
      } finally {
        await client.close();
      }
    });

  const admin = program.command("admin").description("Verwaltung / administration");
  clientCommand(admin, "invite", "Erstellt einen Einladungslink / creates an invitation link")
    .option("--role <role>", "member | admin", "member")
    .action(async (options: Options) => {
      const role = String(options.role);
      if (role !== "member" && role !== "admin") throw new UsageError(`--role: member | admin (${role})`);
      await withClient(options, async (client, printer) => {
        const invitation = await client.createInvitation(role);
        const t = clientMessages(printer.language);
        if (!printer.json) printer.out(t.invitationCreated(invitation.expiresAt), {});
        printer.out(invitation.url, { type: "invitation", url: invitation.url, role, expiresAt: invitation.expiresAt });
      });
    });

  clientCommand(program, "contacts", "Kolleginnen und Kollegen / colleagues").action(async (options: Options) => {
    await withClient(options, async (client, printer) => {
      const t = clientMessages(printer.language);
      const directory = await client.directory();
      if (directory.length === 0 && !printer.json) printer.out(t.noContacts, {});
      for (const { member, contact } of directory) {
        // The trust in a key is known once a chat showed its credential; the directory alone proves nothing.
        const trust = contact?.devices.at(-1)?.trust ?? "unseen";
        printer.out(`${member.displayName} (${member.role}) — ${t.trust[trust]}`, {
          type: "contact",
          accountId: member.accountId,
          displayName: member.displayName,
          role: member.role,
          trust,
        });
      }
    });
  });

  clientCommand(program, "chats", "Alle Chats / all chats").action(async (options: Options) => {
    await withClient(options, async (client, printer) => {
      const t = clientMessages(printer.language);
      const chats = await client.listConversations();
      if (chats.length === 0 && !printer.json) printer.out(t.noChats, {});
      for (const chat of chats) {
        const notes = [chat.unread > 0 ? t.unread(chat.unread) : "", chat.active ? "" : t.inactive].filter(Boolean);
        printer.out(`${chat.name}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`, {
          type: "chat",
          conversationId: chat.conversationId,
          kind: chat.kind,
          name: chat.name,
          unread: chat.unread,
          active: chat.active,
          epoch: chat.epoch,
        });
      }
    });
  });

  clientCommand(program, "send", "Sendet Text oder eine Datei / sends text or a file")
    .requiredOption("--to <contact or chat>", "Kontakt oder Chat / contact or chat")
    .option("--file <path>", "Datei senden / send a file")
    .argument("[text...]")
    .action(async (words: string[], options: Options) => {
      const text = words.join(" ").trim();
      const file = typeof options.file === "string" ? options.file : undefined;
      if (text.length === 0 && file === undefined) throw new UsageError("send: text or --file");
      await withClient(options, async (client, printer) => {
        const chat = await resolveTarget(client, String(options.to));
        const message =
          file === undefined
            ? await client.sendText(chat.conversationId, text)
            : await sendFile(client, chat.conversationId, file, text);
        if (message !== undefined) printMessage(printer, message, chat);
      });
    });

  const group = program.command("group").description("Gruppen / groups");
  clientCommand(group, "create", "Neue Gruppe / new group")
    .requiredOption("--name <name>")
    .requiredOption("--members <a,b,…>")
    .action(async (options: Options) => {
      await withClient(options, async (client, printer) => {
        const members = await resolveAccounts(client, String(options.members));
        const chat = await client.createGroup(
          String(options.name),
          members.map((m) => m.accountId),
        );
        printer.out(clientMessages(printer.language).groupCreated(chat.name), {
          type: "chat",
          conversationId: chat.conversationId,
          name: chat.name,
          epoch: chat.epoch,
        });
      });
    });
  for (const change of ["add", "remove"] as const) {
    clientCommand(
      group,
      change,
      change === "add" ? "Mitglieder hinzufügen / add members" : "Mitglieder entfernen / remove members",
    )
      .requiredOption("--chat <group>")
      .requiredOption("--members <a,b,…>")
      .action(async (options: Options) => {
        await withClient(options, (client, printer) => changeMembers(client, printer, change, options));
      });
  }
  clientCommand(group, "rename", "Gruppe umbenennen / rename a group")
    .requiredOption("--chat <group>")
    .requiredOption("--name <name>")
    .action(async (options: Options) => {
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, String(options.chat));
        const after = await client.rename(chat.conversationId, String(options.name));
        printer.out(clientMessages(printer.language).renamedTo(after.name), {
          type: "chat",
          conversationId: after.conversationId,
          name: after.name,
          epoch: after.epoch,
        });
      });
    });
  clientCommand(group, "leave", "Gruppe verlassen / leave a group")
    .requiredOption("--chat <group>")
    .action(async (options: Options) => {
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, String(options.chat));
        await client.leave(chat.conversationId);
        printer.out(clientMessages(printer.language).left, { type: "left", conversationId: chat.conversationId });
      });
    });

  clientCommand(program, "sync", "Holt neue Nachrichten / fetches new messages").action(async (options: Options) => {
    await withClient(options, async (client, printer) => {
      const warnings = watchKeyChanges(client, printer);
      const arrived = await client.sync();
      warnings();
      await printArrived(client, printer, arrived);
    });
  });

  clientCommand(program, "listen", "Zeigt Nachrichten, sobald sie ankommen / streams messages as they arrive").action(
    async (options: Options) => {
      await withClient(options, async (client, printer) => {
        if (!printer.json) process.stderr.write(`${clientMessages(printer.language).listening}\n`);
        const stopWarnings = watchKeyChanges(client, printer);
        const off = client.on("message", (m) => {
          if (m.direction !== "in") return;
          void client.store.getConversation(m.conversationId).then((chat) => printMessage(printer, m, chat));
        });
        await client.connect();
        await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
        off();
        stopWarnings();
      });
    },
  );

  clientCommand(program, "messages", "Nachrichten eines Chats / a chat's messages")
    .requiredOption("--chat <chat>")
    .option("--limit <n>", "höchstens so viele / at most this many", "50")
    .option("--no-mark-read", "nicht als gelesen markieren / do not mark as read")
    .action(async (options: Options) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: ${String(options.limit)}`);
      await withClient(options, async (client, printer) => {
        const chat = await resolveChat(client, String(options.chat));
        const list = await client.listMessages(chat.conversationId, limit);
        if (list.length === 0 && !printer.json) printer.out(clientMessages(printer.language).noMessages, {});
        for (const m of list) printMessage(printer, m, chat);
        // Shown is read, as when a chat is opened: the senders get a read receipt.
        if (options.markRead !== false) await client.markRead(chat.conversationId);
      });
    });

  clientCommand(program, "download", "Lädt die Datei einer Nachricht / downloads a message's file")
    .argument("<message>")
    .requiredOption("--out <path>")
    .action(async (messageId: string, options: Options) => {
      await withClient(options, async (client, printer) => {
        const out = String(options.out);
        const size = await client.download(messageId, async (stream) => {
          // Written beside the target and renamed only when the digest matched, so a bad download leaves nothing.
          const partial = `${out}.part-${randomBytes(6).toString("hex")}`;
          try {
            await pipeline(stream, createWriteStream(partial, { mode: 0o600 }));
            await rename(partial, out);
          } catch (err) {
            await unlink(partial).catch(() => undefined);
            throw err;
          }
        });
        printer.out(clientMessages(printer.language).downloaded(out, formatSize(size, printer.language)), {
          type: "downloaded",
          messageId,
          path: out,
          size,
        });
      });
    });

  clientCommand(program, "verify", "Sicherheitsnummer und QR-Code / safety number and QR code")
    .argument("<contact>")
    .option("--confirm", "als verifiziert markieren / mark as verified")
    .option("--accept-unverified", "ohne Verifizierung akzeptieren / accept without verification")
    .action(async (name: string, options: Options) => {
      if (options.confirm === true && options.acceptUnverified === true) {
        throw new UsageError("verify: --confirm | --accept-unverified");
      }
      await withClient(options, async (client, printer) => {
        await verify(client, printer, name, options);
      });
    });
}

async function changeMembers(client: BoteClient, printer: Printer, change: "add" | "remove", options: Options) {
  const chat = await resolveChat(client, String(options.chat));
  const members = await resolveAccounts(client, String(options.members));
  const accountIds = members.map((m) => m.accountId);
  const names = members.map((m) => m.displayName);
  const after =
    change === "add"
      ? await client.addMembers(chat.conversationId, accountIds, names)
      : await client.removeMembers(chat.conversationId, accountIds);
  const t = clientMessages(printer.language);
  printer.out((change === "add" ? t.membersAdded : t.membersRemoved)(names.join(", ")), {
    type: "chat",
    conversationId: after.conversationId,
    epoch: after.epoch,
  });
}

async function sendFile(client: BoteClient, conversationId: string, path: string, caption: string) {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    throw new UsageError(`--file: ${path}`);
  }
  return client.sendFile(conversationId, {
    stream: createReadStream(path, { highWaterMark: 256 * 1024 }),
    size,
    fileName: basename(path),
    mediaType: MEDIA_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    caption,
  });
}

async function printArrived(client: BoteClient, printer: Printer, arrived: Awaited<ReturnType<BoteClient["sync"]>>) {
  for (const m of arrived) printMessage(printer, m, await client.store.getConversation(m.conversationId));
}

/** Says so whenever a known contact shows a key not seen before: it is never taken over silently. */
function watchKeyChanges(client: BoteClient, printer: Printer): () => void {
  return client.on("contact", ({ contact, newDevice }) => {
    if (!newDevice) return;
    const text = clientMessages(printer.language).newDeviceWarning(contact.displayName);
    if (printer.json) printer.out(text, { type: "key_changed", accountId: contact.accountId });
    else process.stderr.write(`${text}\n`);
  });
}

async function verify(client: BoteClient, printer: Printer, name: string, options: Options): Promise<void> {
  const t = clientMessages(printer.language);
  const member = await resolveAccount(client, name);
  const own = {
    accountId: bytesFrom(client.profile.accountId, "accountId"),
    devicePublicKey: client.device.signatureKeyPair.publicKey,
  };
  // The key this device has seen in conversations counts; the server's directory only fills in before the first chat.
  const contact = await client.store.getContact(member.accountId);
  const keys = contact?.devices.map((d) => d.devicePublicKey) ?? member.devices.map((d) => d.publicKey);
  for (const key of keys) {
    const other = {
      accountId: bytesFrom(member.accountId, "accountId"),
      devicePublicKey: bytesFrom(key, "devicePublicKey"),
    };
    const number = computeSafetyNumber(own, other);
    const qr = verificationQrPayload(own, other);
    if (printer.json) {
      printer.out("", {
        type: "safety_number",
        accountId: member.accountId,
        devicePublicKey: key,
        safetyNumber: number,
        qr,
      });
    } else {
      printer.out(`${t.safetyNumberFor(member.displayName)}\n${number}\n`, {});
      printer.out(await QRCode.toString(qr, { type: "terminal", small: true }), {});
      printer.out(t.safetyNumberHint, {});
    }
    if (options.confirm === true || options.acceptUnverified === true) {
      const trust = options.confirm === true ? "verified" : "unverified";
      if (contact === undefined) {
        await client.store.apply({
          contacts: [
            {
              accountId: member.accountId,
              displayName: member.displayName,
              devices: [{ devicePublicKey: key, trust, firstSeenAt: Date.now() }],
            },
          ],
        });
      } else await client.setTrust(member.accountId, key, trust);
      const text = trust === "verified" ? t.verifiedNow(member.displayName) : t.acceptedUnverified(member.displayName);
      printer.out(text, { type: "trust", accountId: member.accountId, devicePublicKey: key, trust });
    }
  }
}

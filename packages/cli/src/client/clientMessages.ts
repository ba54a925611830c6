/**
 * What the client commands say to people, German and English, chosen like
 * the server's texts (messages.ts). Typed by the German catalog, so a key
 * missing in English does not compile.
 */
import type { ConversationEvent } from "@bote/client";
import type { AuditAction } from "@bote/core";
import type { Language } from "../messages.js";

const de = {
  joined: (org: string, name: string) => `Willkommen bei ${org}, ${name}. Dieses Gerät ist eingerichtet.`,
  orgKeyCreated: "Dieses Gerät hat den Organisationsschlüssel erzeugt; es signiert ab jetzt Einladungen.",
  orgKeyRestored:
    "Der Organisationsschlüssel ist aus dem Wiederherstellungs-Kit übernommen; dieses Gerät verwaltet die Organisation wieder.",
  recoveryKitClosed:
    "Das Wiederherstellungs-Kit lässt sich mit dieser Passphrase nicht öffnen (oder die Datei ist kein Kit). Nichts wurde geändert.",
  invitationCreated: (expires: string) => `Einladungslink (gültig bis ${expires}, einmal verwendbar):`,
  invitationFor: (name: string, role: string) =>
    `Einladung für ${name} (${role === "admin" ? "Administratorin" : "Mitglied"}).`,
  memberLine: (name: string, role: string, state: string, devices: number) =>
    `${name} — ${role === "admin" ? "Administratorin" : "Mitglied"}, ${state}, ${devices === 1 ? "1 Gerät" : `${devices} Geräte`}`,
  memberState: {
    confirmed: "bestätigt",
    provisional: "vorläufig (wartet auf Bestätigung)",
    unconfirmed: "NICHT bestätigt",
  },
  deviceLine: (deviceId: string, key: string) => `  Gerät ${deviceId} (Schlüssel ${key})`,
  invitationLine: (name: string, role: string, state: string, expires: string) =>
    `${name} — ${role === "admin" ? "Administratorin" : "Mitglied"}, ${{ open: "offen", used: "eingelöst", expired: "abgelaufen", revoked: "widerrufen" }[state] ?? state}, gültig bis ${expires}`,
  noInvitations: "Keine Einladungen.",
  batchInvited: (n: number) => `${n === 1 ? "1 Person" : `${n} Personen`} eingeladen (Links einmal verwendbar):`,
  batchLine: (name: string, role: string, department: string, url: string) =>
    `${name} — ${role === "admin" ? "Administratorin" : "Mitglied"}${department === "" ? "" : `, ${department}`}: ${url}`,
  sheetWritten: (path: string, pages: number) =>
    `Einladungsbogen gespeichert: ${path} (${pages === 1 ? "1 Seite" : `${pages} Seiten`}; enthält geheime Links, sicher aufbewahren).`,
  directoryLine: (name: string, role: string, department: string, title: string) =>
    `${name} — ${[role === "admin" ? "Administratorin" : "Mitglied", department, title].filter((s) => s !== "").join(", ")}`,
  directoryEmpty: "Niemand gefunden.",
  departmentSet: (name: string, department: string) =>
    department === "" ? `${name}: Abteilung gelöscht.` : `${name}: Abteilung ist jetzt ${department}.`,
  deviceLinkOffer: (code: string, expires: string) =>
    `Auf dem neuen Gerät „bote device join" mit diesem Code oder Link ausführen (oder den QR-Code mit dem Handy öffnen), gültig bis ${expires}: ${code}`,
  deviceLinkCompare: (code: string) =>
    `Vergleichscode: ${code} — zeigt das neue Gerät denselben Code? Dann „ja" eingeben.`,
  deviceJoinCompare: (code: string) =>
    `Vergleichscode: ${code} — bitte auf dem anderen Gerät vergleichen und dort bestätigen.`,
  deviceLinked: (deviceId: string) => `Das neue Gerät (${deviceId}) ist verbunden und allen Chats hinzugefügt.`,
  deviceJoined: (org: string, name: string) =>
    `Dieses Gerät gehört jetzt zu ${name} bei ${org}. Die Chats erscheinen in Kürze; ältere Nachrichten bleiben auf dem anderen Gerät.`,
  deactivated: (name: string) => `${name} ist deaktiviert: alle Geräte abgemeldet, aus allen Chats entfernt.`,
  deviceRevoked: (device: string) => `Gerät ${device} ist abgemeldet.`,
  invitationRevoked: (name: string) => `Die Einladung für ${name} ist widerrufen.`,
  roleChanged: (name: string, role: string) =>
    `${name} ist jetzt ${role === "admin" ? "Administratorin" : "Mitglied"}.`,
  keyRotated:
    "Der Organisationsschlüssel ist erneuert. Alle Konten wurden neu bestätigt; wer nur den alten Schlüssel hat, kann niemanden mehr bestätigen. Andere Administratorinnen erhalten den neuen Schlüssel Ende-zu-Ende-verschlüsselt.",
  recoveryKitWritten: (path: string) =>
    `Wiederherstellungs-Kit gespeichert: ${path}. Datei und Passphrase getrennt aufbewahren. Der folgende Code ist der Schlüssel selbst: ausdrucken und wie einen Tresorschlüssel verwahren.`,
  passphraseMissing:
    "Bitte eine Passphrase angeben (--passphrase-file oder $BOTE_RECOVERY_PASSPHRASE), mindestens 12 Zeichen.",
  auditLine: (at: string, actor: string, action: AuditAction, subject: string, role: string, detail: string) =>
    `${at}  ${actor} ${auditDe(action, subject, role, detail)}`,
  auditEmpty: "Noch keine Verwaltungsaktionen.",
  auditUnverified: " [Signatur NICHT bestätigt]",
  auditCsvWritten: (path: string, n: number) =>
    `${n === 1 ? "1 Eintrag" : `${n} Einträge`} als CSV gespeichert: ${path}`,
  setupAsk: {
    organisationName: "Name der Organisation: ",
    displayName: (current: string) => `Ihr Name [${current}]: `,
    language: "Standardsprache (de/en) [de]: ",
    recoveryKit: "Datei für das Wiederherstellungs-Kit [bote-wiederherstellung.json]: ",
    passphrase: "Passphrase für das Kit (mind. 12 Zeichen): ",
    passphraseAgain: "Passphrase wiederholen: ",
  },
  setupRecoveryKitMissing:
    "Die Einrichtung braucht ein Wiederherstellungs-Kit: --recovery-kit <Datei> und --passphrase-file <Datei> (oder $BOTE_RECOVERY_PASSPHRASE).",
  setupPassphraseTooShort: (min: number) =>
    `Die Passphrase ist zu kurz: mindestens ${min} Zeichen. Es wurde nichts gespeichert.`,
  setupPassphraseMismatch:
    "Die beiden Passphrasen stimmen nicht überein; es wurde nichts gespeichert. Bitte die Einrichtung noch einmal starten.",
  setupPolicies:
    "Richtlinien können Sie später mit „bote admin policy set“ festlegen; bis dahin gelten die Voreinstellungen.",
  setupDone: (org: string, name: string) => `${org} ist eingerichtet. Sie sind ${name}, Administratorin.`,
  notAnInvitation: (what: string) => `Keine offene Einladung für „${what}“.`,
  notADevice: (what: string) => `Kein Gerät „${what}“.`,
  notAPerson: (what: string) =>
    `Keine eindeutige Person „${what}“. Name oder Konto-ID angeben (bote admin members zeigt die IDs).`,
  eraseNeedsConfirm: (who: string) =>
    `Die Löschung der Daten von „${who}“ ist endgültig. Mit --confirm bestätigen; die Person muss vorher deaktiviert sein.`,
  inquiryEraseNeedsConfirm: (inquiry: string) =>
    `Die Löschung der Anfrage „${inquiry}“ und der Daten des Kunden ist endgültig, auch im Archiv. Mit --confirm bestätigen.`,
  personExported: (name: string, file: string, rows: number) =>
    `Export der Daten von ${name} gespeichert: ${file} (${rows} Zeilen).`,
  personErased: (name: string, rows: number, tombstoned: number) =>
    `Die Daten von ${name} sind auf dem Server gelöscht: ${rows} Zeilen, ${tombstoned} Einträge im Protokoll der Organisation durch ihren Hash ersetzt.`,
  privacyWritten: (title: string, file: string) => `„${title}“ gespeichert: ${file}`,
  noContacts: "Noch keine Kolleginnen oder Kollegen.",
  noChats: "Noch keine Chats.",
  noMessages: "Keine Nachrichten.",
  nothingNew: "Nichts Neues.",
  unread: (n: number) => (n === 1 ? "1 ungelesen" : `${n} ungelesen`),
  inactive: "nicht mehr Mitglied",
  sent: "gesendet",
  queued: "wartet auf Verbindung",
  failed: "Zustellung fehlgeschlagen",
  groupCreated: (name: string) => `Gruppe „${name}“ erstellt.`,
  membersAdded: (names: string) => `Hinzugefügt: ${names}`,
  membersRemoved: (names: string) => `Entfernt: ${names}`,
  renamedTo: (name: string) => `Gruppe heißt jetzt „${name}“.`,
  left: "Sie haben die Gruppe verlassen.",
  downloaded: (path: string, size: string) => `Gespeichert: ${path} (${size})`,
  trust: {
    organisation: "von der Organisation bestätigt",
    verified: "verifiziert",
    unverified: "ausdrücklich unverifiziert akzeptiert",
    unknown: "nicht verifiziert",
    unseen: "Schlüssel noch nicht geprüft (noch kein gemeinsamer Chat)",
  },
  newDeviceWarning: (name: string) =>
    `Achtung: ${name} hat einen neuen Schlüssel. Vergleichen Sie die Sicherheitsnummer, bevor Sie dem Schlüssel vertrauen.`,
  safetyNumberFor: (name: string) => `Sicherheitsnummer mit ${name}:`,
  safetyNumberHint: "Vergleichen Sie diese Nummer (oder scannen Sie den QR-Code) persönlich oder am Telefon.",
  verifiedNow: (name: string) => `${name} ist jetzt verifiziert.`,
  acceptedUnverified: (name: string) => `${name} wird ohne Verifizierung akzeptiert.`,
  listening: "Warte auf Nachrichten … (Strg+C beendet)",
  attachmentLine: (name: string, size: string) => `📎 ${name} (${size})`,
  voiceLine: (duration: string | undefined) => `🎤 Sprachnachricht${duration === undefined ? "" : ` (${duration})`}`,
  fileRefused: {
    photo_not_an_image: (file: string) =>
      `„${file}“ ist kein Bild (JPEG, PNG, WebP oder GIF) und kann nicht als Foto gesendet werden. Mit --as-file senden Sie es als Datei.`,
    photo_metadata_unsupported: (file: string) =>
      `Aus „${file}“ kann Bote Ort und Kameradaten nicht entfernen (das geht bei JPEG und PNG). Wandeln Sie das Foto in JPEG um, oder senden Sie es mit --original unverändert, mit diesen Daten.`,
    voice_not_audio: (file: string) =>
      `„${file}“ ist keine Sprachaufnahme (Ogg/Opus, WebM oder M4A, nur Ton) und kann nicht als Sprachnachricht gesendet werden. Mit --as-file senden Sie sie als Datei.`,
  },
  contactPointPublished: (name: string, url: string) => `Kontaktpunkt „${name}“ veröffentlicht: ${url}`,
  qrWritten: (path: string) => `QR-Code gespeichert: ${path}`,
  contactPointLine: (slug: string, name: string, url: string, open: boolean, staff: string) =>
    `${slug} — ${name}, ${open ? "offen" : "geschlossen"}, ${url} (Team: ${staff})`,
  contactPointClosed: (slug: string) => `Kontaktpunkt „${slug}“ ist geschlossen; er nimmt keine neuen Anfragen an.`,
  noContactPoints: "Noch keine Kontaktpunkte.",
  contactPointUnknown: (slug: string) => `Keinen Kontaktpunkt „${slug}“ im Protokoll der Organisation.`,
  contactPointPage: {
    heading: (name: string, organisation: string) => `${name} (${organisation})`,
    hours: (hours: string) => `Erreichbar: ${hours}`,
    required: (fields: string) => `Pflichtangaben: ${fields}`,
    retention: (days: number) =>
      days === 0
        ? "Abgeschlossene Anfragen bewahrt der Betrieb auf."
        : `Abgeschlossene Anfragen löscht der Betrieb nach ${days} Tagen.`,
    privacy: "Datenschutzhinweis (mit --consent stimmen Sie ihm zu):",
    closed: "Dieser Kontaktpunkt nimmt gerade keine Anfragen an.",
  },
  contactField: { name: "Name", phone: "Telefon", email: "E-Mail", address: "Adresse" },
  inquirySent:
    "Ihre Anfrage ist verschlüsselt gesendet. Bewahren Sie diesen Link auf: Nur mit ihm sehen Sie die Antworten, und nur auf diesem Gerät.",
  inquiryHeading: (contactPoint: string) => `Ihre Anfrage an ${contactPoint}`,
  inquiryStatus: { new: "neu", "in-progress": "in Bearbeitung", "quote-sent": "Angebot gesendet", done: "erledigt" },
  inboxLine: (
    id: string,
    contactPoint: string,
    status: string,
    assignee: string,
    customer: string,
    text: string,
    time: string,
    files: number,
  ) =>
    `${id}  ${time}  ${contactPoint} · ${status} · ${assignee} · ${customer}: ${text}${files > 0 ? ` (${files === 1 ? "1 Datei" : `${files} Dateien`})` : ""}`,
  nobody: "niemand",
  noInquiries: "Keine Anfragen.",
  inquiryFrom: (customer: string, time: string) => `Anfrage von ${customer}, ${time}`,
  inquiryState: (contactPoint: string, status: string, assignee: string, archived: boolean) =>
    `${contactPoint} · Status: ${status} · Zuständig: ${assignee}${archived ? " · fürs Archiv aufbewahrt" : ""}`,
  filesHeading: "Dateien:",
  fileLine: (index: number, name: string, size: string) => `  [${index}] ${name} (${size})`,
  conversationHeading: "Verlauf mit der Kundschaft:",
  notesHeading: "INTERN – Notizen des Teams (sieht die Kundschaft nie):",
  noteLine: (time: string, author: string, text: string) => `  [${time}] ${author}: ${text}`,
  noNotes: "  (keine)",
  assignedTo: (name: string) => `Zuständig: ${name}`,
  statusSet: (status: string) => `Status: ${status}`,
  noteAdded: "Interne Notiz gespeichert; sie geht nur an das Team.",
  archived: "Fürs Geschäftsarchiv markiert: wird nach dem Erledigen nicht automatisch gelöscht.",
  unarchived: "Archiv-Markierung entfernt: wird nach der Frist des Kontaktpunkts gelöscht, sobald erledigt.",
  inquiryErased: (customer: string) =>
    `Die Anfrage von ${customer} und die Daten des Kunden sind gelöscht: auf dem Server und auf den Geräten des Teams.`,
  exported: (path: string, files: number) =>
    `Gespeichert in ${path}: ${files === 1 ? "1 Datei" : `${files} Dateien`} und inquiry.txt`,
  /** The sender shown for one's own messages, as the web app shows it. */
  you: "Sie",
  edited: "bearbeitet",
  duration: (seconds: number): string => spell(seconds, DE_UNITS),
  disappearingSet: deDisappearingSet,
  disappearingShown: (chat: string, seconds: number): string =>
    seconds === 0
      ? `${chat}: verschwindende Nachrichten aus`
      : `${chat}: Nachrichten verschwinden nach ${spell(seconds, DE_UNITS)}`,
  // The argument gate's refusals (args.ts). They keep the terse form the CLI has always printed, the
  // option and what it takes, alike in both languages; scripts may match them.
  policy: {
    disappearing: (value: string) => `Verschwindende Nachrichten (Standard neuer Chats): ${value}`,
    maxAttachment: (size: string) => `Größter Anhang: ${size}`,
    externalChats: (allowed: boolean) =>
      `Chats mit Personen außerhalb der Organisation: ${allowed ? "erlaubt" : "nicht erlaubt"}`,
    appLock: (required: boolean, minPin: number) =>
      required ? `App-Sperre: vorgeschrieben, PIN mit mindestens ${minPin} Stellen` : "App-Sperre: freiwillig",
    postQuantum: (on: boolean) => `Post-Quanten-Verschlüsselung (X-Wing): ${on ? "an" : "aus"}`,
    wipe: (on: boolean) => `Deaktivierte Geräte löschen ihre Daten: ${on ? "ja" : "nein"}`,
    language: (language: string) => `Sprache der Organisation: ${language === "en" ? "Englisch" : "Deutsch"}`,
    setBy: (name: string, at: string) => `Festgelegt von ${name} am ${at}, signiert mit dem Organisationsschlüssel.`,
    defaults: "Noch keine Richtlinie festgelegt: Es gelten die Standardwerte.",
    saved: "Richtlinie signiert und veröffentlicht; jedes Gerät wendet sie an, sobald es sich verbindet.",
    duration: { off: "aus", "1h": "1 Stunde", "1d": "1 Tag", "7d": "7 Tage", "4w": "4 Wochen" },
    seconds: (n: number) => `${n} Sekunden`,
  },
  usage: {
    invalid: (option: string, value: string) => `${option}: ${value}`,
    oneOf: (option: string, allowed: readonly string[], value: string) =>
      `${option}: ${allowed.join(" | ")} (${value})`,
    textOrFile: "send: text or --file",
    exclusive: (command: string, a: string, b: string) => `${command}: ${a} | ${b}`,
    consentMissing: (url: string) =>
      `inquiry send: Ohne --consent wird nichts gesendet. Den Datenschutzhinweis zeigt „bote inquiry show-contact-point ${url}“; wer zustimmt, ergänzt --consent.`,
    policyNothing: "admin policy set: Bitte mindestens eine Einstellung angeben, z. B. --max-attachment 25MB.",
    linkMissing:
      "join: Einladungslink fehlt – aus einer Datei (--link-file <Datei>), über die Standardeingabe (bote join -) oder als Argument.",
  },
  event: (e: ConversationEvent): string => {
    switch (e.type) {
      case "created":
        return "Chat erstellt.";
      case "joined":
        return e.by === undefined ? "Sie wurden hinzugefügt." : `${e.by} hat Sie hinzugefügt.`;
      case "members_added":
        return `${e.by} hat ${e.members.join(", ")} hinzugefügt.`;
      case "members_removed":
        return e.members.length > 0
          ? `${e.by} hat ${e.members.join(", ")} entfernt.`
          : `${e.by} hat die Gruppe aktualisiert.`;
      case "device_added":
        return `${e.by} nutzt jetzt ein weiteres Gerät.`;
      case "renamed":
        return `${e.by} hat die Gruppe in „${e.name}“ umbenannt.`;
      case "removed":
        return `${e.by} hat Sie entfernt.`;
      case "left":
        return "Sie haben die Gruppe verlassen.";
      case "undecryptable":
        return "Eine Nachricht konnte nicht entschlüsselt werden.";
      case "untrusted_sender":
        return "Eine Nachricht von einem nicht bestätigten Schlüssel wurde abgewiesen.";
      case "unsupported_content":
        return "Eine Nachricht braucht eine neuere Bote-Version.";
      case "disappearing":
        return deDisappearingSet(e.by ?? "Sie", e.by === undefined, e.seconds);
    }
  },
};

function auditDe(action: AuditAction, subject: string, role: string, detail: string): string {
  const as = role === "admin" ? "Administratorin" : "Mitglied";
  switch (action) {
    case "invited":
      return `hat ${subject} als ${as} eingeladen`;
    case "invitation_revoked":
      return `hat die Einladung für ${subject} widerrufen`;
    case "joined":
      return `ist als ${as} beigetreten`;
    case "account_created":
      return `hat das Konto ${subject} (${as}) angelegt`;
    case "promoted":
      return `hat ${subject} zur Administratorin gemacht`;
    case "demoted":
      return `hat ${subject} zum Mitglied gemacht`;
    case "renamed":
      return `hat ${detail} in ${subject} umbenannt`;
    case "deactivated":
      return `hat ${subject} deaktiviert`;
    case "device_revoked":
      return `hat ein Gerät von ${subject} abgemeldet (${detail.slice(0, 8)})`;
    case "key_rotated":
      return "hat den Organisationsschlüssel erneuert";
    case "contact_point_created":
      return `hat den Kontaktpunkt ${subject} (/k/${detail}) angelegt`;
    case "contact_point_changed":
      return `hat den Kontaktpunkt ${subject} geändert`;
    case "contact_point_closed":
      return `hat den Kontaktpunkt ${subject} geschlossen`;
    case "contact_point_reopened":
      return `hat den Kontaktpunkt ${subject} wieder geöffnet`;
    case "policy_changed":
      return `hat die Richtlinien geändert (${detail})`;
    case "department_changed":
      return `hat die Abteilung von ${subject} auf „${detail}“ gesetzt`;
    default: {
      const unknown: never = action;
      return String(unknown);
    }
  }
}

function auditEn(action: AuditAction, subject: string, role: string, detail: string): string {
  const as = role === "admin" ? "an administrator" : "a member";
  switch (action) {
    case "invited":
      return `invited ${subject} as ${as}`;
    case "invitation_revoked":
      return `revoked the invitation for ${subject}`;
    case "joined":
      return `joined as ${as}`;
    case "account_created":
      return `created the account ${subject} (${role})`;
    case "promoted":
      return `made ${subject} an administrator`;
    case "demoted":
      return `made ${subject} a member`;
    case "renamed":
      return `renamed ${detail} to ${subject}`;
    case "deactivated":
      return `deactivated ${subject}`;
    case "device_revoked":
      return `revoked a device of ${subject} (${detail.slice(0, 8)})`;
    case "key_rotated":
      return "rotated the organisation key";
    case "contact_point_created":
      return `created the contact point ${subject} (/k/${detail})`;
    case "contact_point_changed":
      return `changed the contact point ${subject}`;
    case "contact_point_closed":
      return `closed the contact point ${subject}`;
    case "contact_point_reopened":
      return `reopened the contact point ${subject}`;
    case "policy_changed":
      return `changed the policies (${detail})`;
    case "department_changed":
      return `set the department of ${subject} to “${detail}”`;
    default: {
      const unknown: never = action;
      return String(unknown);
    }
  }
}

export type ClientMessages = typeof de;

const en: ClientMessages = {
  joined: (org: string, name: string) => `Welcome to ${org}, ${name}. This device is set up.`,
  orgKeyCreated: "This device created the organisation key; from now on it signs invitations.",
  orgKeyRestored:
    "The organisation key is restored from the recovery kit; this device administers the organisation again.",
  recoveryKitClosed:
    "The recovery kit does not open with this passphrase (or the file is no kit). Nothing was changed.",
  invitationCreated: (expires: string) => `Invitation link (valid until ${expires}, usable once):`,
  invitationFor: (name: string, role: string) => `Invitation for ${name} (${role}).`,
  memberLine: (name: string, role: string, state: string, devices: number) =>
    `${name} — ${role}, ${state}, ${devices === 1 ? "1 device" : `${devices} devices`}`,
  memberState: {
    confirmed: "confirmed",
    provisional: "provisional (awaiting confirmation)",
    unconfirmed: "NOT confirmed",
  },
  deviceLine: (deviceId: string, key: string) => `  device ${deviceId} (key ${key})`,
  invitationLine: (name: string, role: string, state: string, expires: string) =>
    `${name} — ${role}, ${state}, valid until ${expires}`,
  noInvitations: "No invitations.",
  batchInvited: (n: number) => `${n === 1 ? "1 person" : `${n} people`} invited (links usable once):`,
  batchLine: (name: string, role: string, department: string, url: string) =>
    `${name} — ${role}${department === "" ? "" : `, ${department}`}: ${url}`,
  sheetWritten: (path: string, pages: number) =>
    `Invitation sheet saved: ${path} (${pages === 1 ? "1 page" : `${pages} pages`}; it holds secret links, keep it safe).`,
  directoryLine: (name: string, role: string, department: string, title: string) =>
    `${name} — ${[role, department, title].filter((s) => s !== "").join(", ")}`,
  directoryEmpty: "Nobody found.",
  departmentSet: (name: string, department: string) =>
    department === "" ? `${name}: department cleared.` : `${name}: department is now ${department}.`,
  deviceLinkOffer: (code: string, expires: string) =>
    `On the new device run "bote device join" with this code or link (or open the QR code with the phone), valid until ${expires}: ${code}`,
  deviceLinkCompare: (code: string) =>
    `Comparison code: ${code} — does the new device show the same code? Then type "yes".`,
  deviceJoinCompare: (code: string) => `Comparison code: ${code} — compare it on the other device and confirm there.`,
  deviceLinked: (deviceId: string) => `The new device (${deviceId}) is linked and added to every chat.`,
  deviceJoined: (org: string, name: string) =>
    `This device now belongs to ${name} at ${org}. The chats appear shortly; older messages stay on the other device.`,
  deactivated: (name: string) => `${name} is deactivated: every device signed out, removed from every chat.`,
  deviceRevoked: (device: string) => `Device ${device} is revoked.`,
  invitationRevoked: (name: string) => `The invitation for ${name} is revoked.`,
  roleChanged: (name: string, role: string) => `${name} is now ${role === "admin" ? "an administrator" : "a member"}.`,
  keyRotated:
    "The organisation key is rotated. Every account was confirmed anew; whoever holds only the old key can confirm nobody any more. Other administrators receive the new key end-to-end encrypted.",
  recoveryKitWritten: (path: string) =>
    `Recovery kit saved: ${path}. Keep the file and the passphrase apart. The code below is the key itself: print it and keep it like the key to a safe.`,
  passphraseMissing:
    "Please give a passphrase (--passphrase-file or $BOTE_RECOVERY_PASSPHRASE), at least 12 characters.",
  auditLine: (at: string, actor: string, action: AuditAction, subject: string, role: string, detail: string) =>
    `${at}  ${actor} ${auditEn(action, subject, role, detail)}`,
  auditEmpty: "No administration actions yet.",
  auditUnverified: " [signature NOT confirmed]",
  auditCsvWritten: (path: string, n: number) => `${n === 1 ? "1 entry" : `${n} entries`} saved as CSV: ${path}`,
  setupAsk: {
    organisationName: "Name of the organisation: ",
    displayName: (current: string) => `Your name [${current}]: `,
    language: "Default language (de/en) [de]: ",
    recoveryKit: "File for the recovery kit [bote-wiederherstellung.json]: ",
    passphrase: "Passphrase for the kit (at least 12 characters): ",
    passphraseAgain: "Repeat the passphrase: ",
  },
  setupRecoveryKitMissing:
    "The setup needs a recovery kit: --recovery-kit <file> and --passphrase-file <file> (or $BOTE_RECOVERY_PASSPHRASE).",
  setupPassphraseTooShort: (min: number) =>
    `The passphrase is too short: at least ${min} characters. Nothing was saved.`,
  setupPassphraseMismatch: "The two passphrases do not match; nothing was saved. Please start the setup again.",
  setupPolicies: "You can set policies later with “bote admin policy set”; until then the defaults apply.",
  setupDone: (org: string, name: string) => `${org} is set up. You are ${name}, administrator.`,
  notAnInvitation: (what: string) => `No open invitation for “${what}”.`,
  notADevice: (what: string) => `No device “${what}”.`,
  notAPerson: (what: string) =>
    `No single person “${what}”. Give a name or an account id (bote admin members shows the ids).`,
  eraseNeedsConfirm: (who: string) =>
    `Erasing the data of “${who}” is final. Confirm with --confirm; the person must be deactivated first.`,
  inquiryEraseNeedsConfirm: (inquiry: string) =>
    `Erasing the inquiry “${inquiry}” and the customer's data is final, archived or not. Confirm with --confirm.`,
  personExported: (name: string, file: string, rows: number) =>
    `Export of ${name}'s data saved: ${file} (${rows} rows).`,
  personErased: (name: string, rows: number, tombstoned: number) =>
    `${name}'s data is erased on the server: ${rows} rows, ${tombstoned} entries of the organisation log replaced by their hash.`,
  privacyWritten: (title: string, file: string) => `“${title}” saved: ${file}`,
  noContacts: "No colleagues yet.",
  noChats: "No chats yet.",
  noMessages: "No messages.",
  nothingNew: "Nothing new.",
  unread: (n: number) => `${n} unread`,
  inactive: "no longer a member",
  sent: "sent",
  queued: "waiting for a connection",
  failed: "delivery failed",
  groupCreated: (name: string) => `Group "${name}" created.`,
  membersAdded: (names: string) => `Added: ${names}`,
  membersRemoved: (names: string) => `Removed: ${names}`,
  renamedTo: (name: string) => `The group is now called "${name}".`,
  left: "You left the group.",
  downloaded: (path: string, size: string) => `Saved: ${path} (${size})`,
  trust: {
    organisation: "confirmed by the organisation",
    verified: "verified",
    unverified: "explicitly accepted unverified",
    unknown: "not verified",
    unseen: "key not checked yet (no chat together yet)",
  },
  newDeviceWarning: (name: string) => `Warning: ${name} has a new key. Compare the safety number before you trust it.`,
  safetyNumberFor: (name: string) => `Safety number with ${name}:`,
  safetyNumberHint: "Compare this number (or scan the QR code) in person or on the phone.",
  verifiedNow: (name: string) => `${name} is now verified.`,
  acceptedUnverified: (name: string) => `${name} is accepted without verification.`,
  listening: "Waiting for messages … (Ctrl+C ends)",
  attachmentLine: (name: string, size: string) => `📎 ${name} (${size})`,
  voiceLine: (duration: string | undefined) => `🎤 Voice message${duration === undefined ? "" : ` (${duration})`}`,
  fileRefused: {
    photo_not_an_image: (file: string) =>
      `"${file}" is not an image (JPEG, PNG, WebP or GIF) and cannot be sent as a photo. With --as-file it goes as a file.`,
    photo_metadata_unsupported: (file: string) =>
      `Bote cannot remove location and camera data from "${file}" (it can from JPEG and PNG). Convert the photo to JPEG, or send it unchanged, with that data, using --original.`,
    voice_not_audio: (file: string) =>
      `"${file}" is not a voice recording (Ogg/Opus, WebM or M4A, sound only) and cannot be sent as a voice message. With --as-file it goes as a file.`,
  },
  contactPointPublished: (name: string, url: string) => `Contact point "${name}" published: ${url}`,
  qrWritten: (path: string) => `QR code saved: ${path}`,
  contactPointLine: (slug: string, name: string, url: string, open: boolean, staff: string) =>
    `${slug} — ${name}, ${open ? "open" : "closed"}, ${url} (team: ${staff})`,
  contactPointClosed: (slug: string) => `Contact point "${slug}" is closed; it takes no new inquiries.`,
  noContactPoints: "No contact points yet.",
  contactPointUnknown: (slug: string) => `No contact point "${slug}" in the organisation's log.`,
  contactPointPage: {
    heading: (name: string, organisation: string) => `${name} (${organisation})`,
    hours: (hours: string) => `Hours: ${hours}`,
    required: (fields: string) => `Required: ${fields}`,
    retention: (days: number) =>
      days === 0 ? "The business keeps closed inquiries." : `The business deletes closed inquiries after ${days} days.`,
    privacy: "Privacy notice (--consent agrees to it):",
    closed: "This contact point takes no inquiries at the moment.",
  },
  contactField: { name: "name", phone: "phone", email: "e-mail", address: "address" },
  inquirySent:
    "Your inquiry is sent, encrypted. Keep this link: only with it do you see the answers, and only on this device.",
  inquiryHeading: (contactPoint: string) => `Your inquiry to ${contactPoint}`,
  inquiryStatus: { new: "new", "in-progress": "in progress", "quote-sent": "quote sent", done: "done" },
  inboxLine: (
    id: string,
    contactPoint: string,
    status: string,
    assignee: string,
    customer: string,
    text: string,
    time: string,
    files: number,
  ) =>
    `${id}  ${time}  ${contactPoint} · ${status} · ${assignee} · ${customer}: ${text}${files > 0 ? ` (${files === 1 ? "1 file" : `${files} files`})` : ""}`,
  nobody: "nobody",
  noInquiries: "No inquiries.",
  inquiryFrom: (customer: string, time: string) => `Inquiry from ${customer}, ${time}`,
  inquiryState: (contactPoint: string, status: string, assignee: string, archived: boolean) =>
    `${contactPoint} · status: ${status} · assigned to: ${assignee}${archived ? " · kept for the archive" : ""}`,
  filesHeading: "Files:",
  fileLine: (index: number, name: string, size: string) => `  [${index}] ${name} (${size})`,
  conversationHeading: "Conversation with the customer:",
  notesHeading: "INTERNAL – the team's notes (never shown to the customer):",
  noteLine: (time: string, author: string, text: string) => `  [${time}] ${author}: ${text}`,
  noNotes: "  (none)",
  assignedTo: (name: string) => `Assigned to: ${name}`,
  statusSet: (status: string) => `Status: ${status}`,
  noteAdded: "Internal note saved; it goes to the team only.",
  archived: "Marked for the business archive: not deleted automatically once done.",
  unarchived: "Archive mark removed: deleted after the contact point's period once done.",
  inquiryErased: (customer: string) =>
    `The inquiry from ${customer} and the customer's data are erased: on the server and on the team's devices.`,
  exported: (path: string, files: number) =>
    `Saved in ${path}: ${files === 1 ? "1 file" : `${files} files`} and inquiry.txt`,
  you: "You",
  edited: "edited",
  policy: {
    disappearing: (value: string) => `Disappearing messages (default of new chats): ${value}`,
    maxAttachment: (size: string) => `Largest attachment: ${size}`,
    externalChats: (allowed: boolean) =>
      `Chats with people outside the organisation: ${allowed ? "allowed" : "not allowed"}`,
    appLock: (required: boolean, minPin: number) =>
      required ? `App lock: required, PIN of at least ${minPin} digits` : "App lock: optional",
    postQuantum: (on: boolean) => `Post-quantum encryption (X-Wing): ${on ? "on" : "off"}`,
    wipe: (on: boolean) => `Deactivated devices delete their data: ${on ? "yes" : "no"}`,
    language: (language: string) => `Organisation's language: ${language === "en" ? "English" : "German"}`,
    setBy: (name: string, at: string) => `Set by ${name} on ${at}, signed with the organisation key.`,
    defaults: "No policy set yet: the defaults apply.",
    saved: "Policy signed and published; every device applies it as soon as it connects.",
    duration: { off: "off", "1h": "1 hour", "1d": "1 day", "7d": "7 days", "4w": "4 weeks" },
    seconds: (n: number) => `${n} seconds`,
  },
  duration: (seconds: number): string => spell(seconds, EN_UNITS),
  disappearingSet: enDisappearingSet,
  disappearingShown: (chat: string, seconds: number): string =>
    seconds === 0
      ? `${chat}: disappearing messages off`
      : `${chat}: messages disappear after ${spell(seconds, EN_UNITS)}`,
  usage: {
    invalid: (option: string, value: string) => `${option}: ${value}`,
    oneOf: (option: string, allowed: readonly string[], value: string) =>
      `${option}: ${allowed.join(" | ")} (${value})`,
    textOrFile: "send: text or --file",
    exclusive: (command: string, a: string, b: string) => `${command}: ${a} | ${b}`,
    consentMissing: (url: string) =>
      `inquiry send: nothing is sent without --consent. "bote inquiry show-contact-point ${url}" shows the privacy notice; whoever agrees adds --consent.`,
    policyNothing: "admin policy set: please give at least one setting, e.g. --max-attachment 25MB.",
    linkMissing:
      "join: the invitation link is missing – from a file (--link-file <file>), from standard input (bote join -) or as an argument.",
  },
  event: (e: ConversationEvent): string => {
    switch (e.type) {
      case "created":
        return "Chat created.";
      case "joined":
        return e.by === undefined ? "You were added." : `${e.by} added you.`;
      case "members_added":
        return `${e.by} added ${e.members.join(", ")}.`;
      case "members_removed":
        return e.members.length > 0 ? `${e.by} removed ${e.members.join(", ")}.` : `${e.by} updated the group.`;
      case "device_added":
        return `${e.by} now also uses another device.`;
      case "renamed":
        return `${e.by} renamed the group to "${e.name}".`;
      case "removed":
        return `${e.by} removed you.`;
      case "left":
        return "You left the group.";
      case "undecryptable":
        return "A message could not be decrypted.";
      case "untrusted_sender":
        return "A message from an unconfirmed key was refused.";
      case "unsupported_content":
        return "A message needs a newer version of Bote.";
      case "disappearing":
        return enDisappearingSet(e.by ?? "You", e.by === undefined, e.seconds);
    }
  },
};

function deDisappearingSet(who: string, mine: boolean, seconds: number): string {
  return seconds === 0
    ? `${who} ${mine ? "haben" : "hat"} verschwindende Nachrichten ausgeschaltet.`
    : `${who} ${mine ? "haben" : "hat"} verschwindende Nachrichten auf ${spell(seconds, DE_UNITS)} gestellt.`;
}

function enDisappearingSet(who: string, _mine: boolean, seconds: number): string {
  return seconds === 0
    ? `${who} turned disappearing messages off.`
    : `${who} set disappearing messages to ${spell(seconds, EN_UNITS)}.`;
}

type Units = readonly (readonly [seconds: number, one: string, other: string])[];
const DE_UNITS: Units = [
  [604_800, "Woche", "Wochen"],
  [86_400, "Tag", "Tage"],
  [3_600, "Stunde", "Stunden"],
  [60, "Minute", "Minuten"],
  [1, "Sekunde", "Sekunden"],
];
const EN_UNITS: Units = [
  [604_800, "week", "weeks"],
  [86_400, "day", "days"],
  [3_600, "hour", "hours"],
  [60, "minute", "minutes"],
  [1, "second", "seconds"],
];

/** A timer in the largest unit that divides it: "1 Tag", "4 Wochen", "90 Sekunden". */
function spell(seconds: number, units: Units): string {
  const [size, one, other] = units.find(([size]) => seconds % size === 0) ?? units[units.length - 1]!;
  const n = seconds / size;
  return `${n} ${n === 1 ? one : other}`;
}

export function clientMessages(language: Language): ClientMessages {
  return language === "en" ? en : de;
}

/** Sizes the way people read them, in the user's language (1,5 MB / 1.5 MB). */
export function formatSize(bytes: number, language: Language): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = new Intl.NumberFormat(language === "en" ? "en-GB" : "de-DE", {
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
  return `${text} ${units[unit]}`;
}

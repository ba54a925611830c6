/**
 * The client commands' help texts, typed by key. Each is one "Deutsch / English" line: help is read
 * before anyone has set LANG, so it shows both languages whatever the environment says.
 */
export const helpTexts = {
  profile: "Profil dieses Geräts / this device's profile (default ~/.bote or $BOTE_PROFILE)",
  json: "eine JSON-Zeile pro Ergebnis / one JSON line per result",
  join: "Tritt mit einer Einladung bei / joins with an invitation link",
  joinLinkFile:
    "Einladungslink aus dieser Datei, nicht aus der Befehlszeile (ps, Verlauf) / reads the invitation link from this file, not the command line (ps, history)",
  joinName:
    "nur die erste Administratorin: Anzeigename (sonst steht er in der Einladung) / first admin only: display name (otherwise the invitation names it)",
  joinPostQuantum:
    "nur die erste Administratorin: Organisation mit X-Wing (post-quanten-sicher) / first admin only: organisation uses X-Wing",
  admin: "Verwaltung / administration",
  adminInvite: "Erstellt einen Einladungslink / creates an invitation link",
  adminInviteRole: "member | admin",
  adminInviteName: "Name der eingeladenen Person / name of the person invited",
  adminInviteDays: "Tage gültig (1–30, Standard 7) / days valid (1–30, default 7)",
  adminMembers: "Mitglieder mit Rollen und Geräten / members with roles and devices",
  adminInvitations: "Einladungen und ihr Stand / invitations and their state",
  adminRevokeInvitation: "Widerruft eine offene Einladung / revokes an open invitation",
  adminDeactivate:
    "Deaktiviert eine Person auf allen Geräten und in allen Chats / deactivates a person on every device and in every chat",
  adminRevokeDevice:
    "Meldet ein Gerät ab (Geräteschlüssel oder Geräte-ID) / revokes one device (device key or device id)",
  adminPromote: "Macht eine Person zur Administratorin / makes a person an administrator",
  adminDemote: "Macht eine Administratorin wieder zum Mitglied / makes an administrator a member again",
  adminRotateKey:
    "Erneuert den Organisationsschlüssel; ehemalige Admins verlieren jede Macht / rotates the organisation key; former admins lose all power",
  adminRecoveryKit:
    "Schreibt das Wiederherstellungs-Kit des Organisationsschlüssels / writes the organisation key's recovery kit",
  adminRecoveryKitOut: "Datei für das Kit / file for the kit",
  adminRecoveryKitPassphrase:
    "Datei mit der Passphrase (mind. 12 Zeichen; sonst $BOTE_RECOVERY_PASSPHRASE) / file holding the passphrase (at least 12 characters; else $BOTE_RECOVERY_PASSPHRASE)",
  device: "Weitere Geräte derselben Person (Handy + PC) / more devices of the same person (phone + PC)",
  deviceLink:
    "Verbindet ein neues Gerät mit diesem Konto (Code oder QR-Code) / links a new device to this account (code or QR code)",
  deviceJoin:
    "Macht dieses Gerät zu einem weiteren Gerät eines Kontos / makes this device another device of an account",
  deviceJoinServer: "Server-Adresse, wenn nur der Code angegeben ist / server address when only the code is given",
  contacts: "Kolleginnen und Kollegen / colleagues",
  chats: "Alle Chats / all chats",
  messages: "Nachrichten eines Chats / a chat's messages",
  messagesLimit: "höchstens so viele / at most this many",
  messagesNoMarkRead: "nicht als gelesen markieren / do not mark as read",
  send: "Sendet Text oder eine Datei / sends text or a file",
  sendTo: "Kontakt oder Chat / contact or chat",
  sendFile:
    "Datei senden: Fotos ohne Ort und Kameradaten, .ogg/.opus/.webm/.m4a als Sprachnachricht / send a file: photos without location and camera data, .ogg/.opus/.webm/.m4a as a voice message",
  sendOriginal:
    "Foto unverändert senden, mit Ort und Kameradaten / send a photo as taken, with location and camera data",
  sendAsFile:
    "als Datei senden, nicht als Foto oder Sprachnachricht / send as a plain file, not as a photo or voice message",
  download: "Lädt die Datei einer Nachricht / downloads a message's file",
  group: "Gruppen / groups",
  groupCreate: "Neue Gruppe / new group",
  groupAdd: "Mitglieder hinzufügen / add members",
  groupRemove: "Mitglieder entfernen / remove members",
  groupRename: "Gruppe umbenennen / rename a group",
  groupLeave: "Gruppe verlassen / leave a group",
  sync: "Holt neue Nachrichten / fetches new messages",
  listen: "Zeigt Nachrichten, sobald sie ankommen / streams messages as they arrive",
  verify: "Sicherheitsnummer und QR-Code / safety number and QR code",
  verifyConfirm: "als verifiziert markieren / mark as verified",
  verifyAcceptUnverified: "ohne Verifizierung akzeptieren / accept without verification",
} as const satisfies Record<string, string>;

export type HelpText = keyof typeof helpTexts;

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
  joinRecoveryKit:
    "mit --recovery-invite des Servers: übernimmt die Verwaltung mit dem Wiederherstellungs-Kit / with the server's --recovery-invite: takes the administration back with the recovery kit",
  joinPostQuantum:
    "nur die erste Administratorin: Organisation mit X-Wing (post-quanten-sicher) / first admin only: organisation uses X-Wing",
  admin: "Verwaltung / administration",
  adminInvite: "Erstellt einen Einladungslink / creates an invitation link",
  adminInviteRole: "member | admin",
  adminInviteName: "Name der eingeladenen Person / name of the person invited",
  adminInviteDays: "Tage gültig (1–30, Standard 7) / days valid (1–30, default 7)",
  adminInviteCsv:
    "CSV-Datei mit Name, Rolle, Abteilung: lädt alle ein oder niemanden / CSV file with name, role, department: invites all or nobody",
  adminInviteSheet:
    "Schreibt die Einladungen als PDF, eine Seite mit QR-Code pro Person / writes the invitations as a PDF, one page with a QR code per person",
  adminDepartment:
    "Setzt Abteilung und Funktion einer Person im Verzeichnis / sets a person's department and title in the directory",
  adminDepartmentText: 'Abteilung ("" löscht sie) / department ("" clears it)',
  adminDepartmentTitle: "Funktion, z. B. Bauleiterin / job title, e.g. site manager",
  directory:
    "Kolleginnen und Kollegen mit Rolle und Abteilung, von der Organisation signiert / colleagues with role and department, signed by the organisation",
  directorySearch: "Nur Einträge mit diesen Wörtern / only entries with these words",
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
  adminPolicy:
    "Richtlinien der Organisation, signiert mit dem Organisationsschlüssel / the organisation's policies, signed with the organisation key",
  adminPolicyShow:
    "Zeigt die geltende Richtlinie, wer sie wann festlegte / shows the policy in force, who set it and when",
  adminPolicySet:
    "Ändert nur die angegebenen Einstellungen (nur Admins) / changes only the given settings (admins only)",
  adminPolicyDisappearing:
    "Standard für verschwindende Nachrichten neuer Chats / default disappearing time of new chats: off | 1h | 1d | 7d | 4w",
  adminPolicyMaxAttachment: "größter Anhang, z. B. 25MB, 500kB, 1GB / largest attachment, e.g. 25MB, 500kB, 1GB",
  adminPolicyExternal:
    "Chats mit Personen außerhalb der Organisation / chats with people outside the organisation: on | off",
  adminPolicyAppLock: "App-Sperre vorschreiben / require an app lock: on | off",
  adminPolicyMinPin: "kürzeste PIN der App-Sperre (4–12) / shortest app lock PIN (4–12)",
  adminPolicyPostQuantum:
    "Post-Quanten-Verschlüsselung; wird bei der Einrichtung gewählt / post-quantum encryption; chosen at setup: on | off",
  adminPolicyWipe: "deaktivierte Geräte löschen ihre Daten / deactivated devices delete their data: on | off",
  adminPolicyLanguage: "Sprache der Organisation / the organisation's language: de | en",
  adminAudit:
    "Protokoll der Verwaltungsaktionen aus den signierten Aussagen (ohne Inhalte) / audit log of administration actions from the signed statements (no content)",
  adminAuditCsv: "schreibt das Protokoll als CSV in diese Datei / writes the log as CSV to this file",
  adminSetup:
    "Ersteinrichtung: Name der Organisation, eigener Name, Sprache, Wiederherstellungs-Kit / first-time setup: organisation name, own name, language, recovery kit",
  adminSetupOrgName: "Name der Organisation / name of the organisation",
  adminSetupName: "Ihr Anzeigename / your display name",
  adminSetupLanguage: "Standardsprache: de | en / default language: de | en",
  adminSetupRecoveryKit: "Datei für das Wiederherstellungs-Kit / file for the recovery kit",
  adminPerson:
    "Daten einer Person auf dem Server: Export (Art. 15/20 DSGVO) und Löschung (Art. 17) / a person's data on the server: export and erasure (Art. 15/20/17 GDPR)",
  adminPersonExport: "Alle Zeilen des Servers über eine Person als JSON / every server-side row about a person as JSON",
  adminPersonOut: "Datei für den Export (wird neu angelegt) / file for the export (created, never overwritten)",
  adminPersonErase:
    "Löscht die Daten einer deaktivierten Person auf dem Server / erases a deactivated person's server-side data",
  adminPersonConfirm: "bestätigt die Löschung, sie ist endgültig / confirms the erasure, which is final",
  adminPrivacy:
    "Datenschutz-Dokumente aus der Konfiguration des Servers: info (Art. 13), record (Art. 30), toms (Art. 32), dpia (Art. 35), processor (Art. 28) / privacy documents generated from the server's configuration",
  adminPrivacyLang: "Sprache des Dokuments / language of the document (de | en)",
  adminPrivacyOut: "Datei für das Dokument (Markdown) / file for the document (Markdown)",
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
  disappearing:
    "Zeigt oder stellt verschwindende Nachrichten eines Chats / shows or sets a chat's disappearing messages",
  disappearingSet: "off, 1h, 1d, 1w, 4w oder/or <n>s|m|h|d|w",
  sync: "Holt neue Nachrichten / fetches new messages",
  listen: "Zeigt Nachrichten, sobald sie ankommen / streams messages as they arrive",
  verify: "Sicherheitsnummer und QR-Code / safety number and QR code",
  verifyConfirm: "als verifiziert markieren / mark as verified",
  verifyAcceptUnverified: "ohne Verifizierung akzeptieren / accept without verification",
  contactPoint:
    "Kontaktpunkte: Anfragen von Kundschaft ohne Konto, /k/<slug> / contact points: inquiries from customers without an account",
  contactPointCreate:
    "Veröffentlicht einen Kontaktpunkt (nur Admins) und zeigt seine Adresse / publishes a contact point (admins only) and prints its URL",
  contactPointName: "Name, den die Kundschaft sieht / name customers see",
  contactPointSlug: "Kurzname in der Adresse /k/<slug>: a–z, 0–9, - / short name in the URL /k/<slug>",
  contactPointStaff:
    "wer antwortet: Namen oder Konto-IDs, mit Komma / who answers: names or account ids, comma-separated",
  contactPointGreeting: "Begrüßungstext / greeting text",
  contactPointHours: "Erreichbarkeit, z. B. „Mo–Fr 8–17 Uhr“ / opening hours text",
  contactPointPrivacy: "Datenschutzhinweis, dem die Kundschaft zustimmt / privacy notice customers agree to",
  contactPointPrivacyFile: "Datenschutzhinweis aus dieser Datei / privacy notice from this file",
  contactPointRequire: "Pflichtangaben / required fields: name,phone,email,address",
  contactPointRetention:
    "Tage, die abgeschlossene Anfragen bleiben (0 = behalten, Standard 90) / days closed inquiries are kept (0 = keep, default 90)",
  contactPointQr: "schreibt den QR-Code der Adresse, .png oder .svg / writes the URL's QR code, .png or .svg",
  contactPointList: "Kontaktpunkte der Organisation / the organisation's contact points",
  contactPointClose: "Nimmt keine neuen Anfragen mehr an / takes no new inquiries",
  inquiry:
    "Als Kundschaft ohne Konto: Anfrage senden und Antworten lesen; gespeichert in <Profil>/inquiries/ / as a customer without an account: send an inquiry and read the answers; stored in <profile>/inquiries/",
  inquirySend:
    "Sendet eine Anfrage an einen Kontaktpunkt und zeigt den privaten Rückkehr-Link; ein Wegwerf-Gerät in <Profil>/inquiries/<name>.db, kein Konto / sends an inquiry and prints the private return link; a throw-away device in <profile>/inquiries/<name>.db, no account",
  inquiryText: "Ihr Anliegen / your request",
  inquiryPhoto:
    "Foto (JPEG/PNG), ohne Ort und Kameradaten; mehrfach möglich / photo (JPEG/PNG), without location and camera data; repeatable",
  inquiryFile: "Dokument, z. B. PDF; mehrfach möglich / document, e.g. a PDF; repeatable",
  inquiryName: "Ihr Name / your name",
  inquiryPhone: "Telefon / phone",
  inquiryEmail: "E-Mail / e-mail",
  inquiryAddress: "Adresse / address",
  inquiryConsent:
    "Sie stimmen dem Datenschutzhinweis zu (show-contact-point zeigt ihn) / you agree to the privacy notice (show-contact-point shows it)",
  inquiryShowContactPoint:
    "Zeigt Begrüßung, Pflichtangaben und Datenschutzhinweis eines Kontaktpunkts / shows a contact point's greeting, required fields and privacy notice",
  inquiryShow: "Ihre Anfrage und die Antworten (Rückkehr-Link) / your inquiry and the answers (return link)",
  inquiryReply: "Antwortet in Ihrer Anfrage (Rückkehr-Link) / replies in your inquiry (return link)",
  inbox:
    "Anfragen der Kontaktpunkte, die Sie betreuen; <Anfrage> ist die kurze ID (beginnt sie mit -, nach --) / inquiries of your contact points; <inquiry> is the short id (after -- if it starts with -)",
  inboxList:
    "Anfragen mit Status, Zuständigen und Text (Standard) / inquiries with status, assignee and text (default)",
  inboxShow:
    "Anfrage mit Kontaktdaten, Dateien, Verlauf und internen Notizen / an inquiry with contact data, files, conversation and internal notes",
  inboxReply: "Antwortet der Kundschaft / replies to the customer",
  inboxAssign: "Weist zu: Kollegin, me oder nobody / assigns: colleague, me or nobody",
  inboxStatus: "Setzt den Status / sets the status: new | in-progress | quote-sent | done",
  inboxNote: "Interne Notiz, nur für das Team / internal note, for the team only",
  inboxArchive:
    "Fürs Geschäftsarchiv aufbewahren (on) oder nicht (off) / keep for the business archive (on) or not (off)",
  inboxErase:
    "Löscht die Anfrage und die Daten des Kunden auf dem Server und allen Geräten des Teams (Admins) / erases the inquiry and the customer's data on the server and every staff device (admins)",
  inboxExport:
    "Schreibt Text, Kontaktdaten und Dateien in ein Verzeichnis / writes text, contact data and files to a directory",
} as const satisfies Record<string, string>;

export type HelpText = keyof typeof helpTexts;

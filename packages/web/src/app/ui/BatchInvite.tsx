import { useEffect } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { isBusy, reportError } from "../state/actions.js";
import { batch, chooseStaffFile, downloadSheet, inviteAll, resetBatch } from "../state/staffBatch.js";
import { Icon } from "./icons.js";

/** "Mehrere einladen (CSV)": choose a file, check the preview, invite all, print the QR sheet. */
export function BatchInvite() {
  useEffect(() => resetBatch, []);
  const state = batch.value;
  const busy = isBusy("admin");
  return (
    <section class="info" aria-labelledby="batch-title">
      <header class="bar">
        <a class="icon-button back" href="#/admin" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="batch-title" class="bar-title">
          {t("staffBatch.title")}
        </h2>
      </header>
      <div class="info-body" aria-busy={busy}>
        {state.step !== "done" && (
          <>
            <p class="hint">{t("staffBatch.explain")}</p>
            <pre class="csv-example">{t("staffBatch.example")}</pre>
            <label class="secondary link-button" for="staff-csv">
              {t("staffBatch.choose")}
            </label>
            <input
              id="staff-csv"
              hidden
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                e.currentTarget.value = "";
                if (file !== undefined) chooseStaffFile(file).catch(reportError);
              }}
            />
          </>
        )}
        {state.step === "faults" && (
          <div class="error" role="alert">
            <p>{state.summary}</p>
            <ul class="csv-faults">
              {state.lines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
        )}
        {state.step === "preview" && (
          <>
            <p>{t("staffBatch.preview", { count: state.rows.length, file: state.fileName })}</p>
            <div class="table-scroll">
              <table class="csv-preview">
                <thead>
                  <tr>
                    <th>{t("staffBatch.row")}</th>
                    <th>{t("staffBatch.name")}</th>
                    <th>{t("staffBatch.role")}</th>
                    <th>{t("staffBatch.department")}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.rows.map((r) => (
                    <tr key={r.row}>
                      <td>{r.row}</td>
                      <td>{r.displayName}</td>
                      <td>{r.role === "admin" ? t("admin.roleAdmin") : t("admin.roleMember")}</td>
                      <td>{r.department}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <button class="primary" disabled={busy} onClick={() => void inviteAll(state.rows)}>
              {busy ? t("staffBatch.inviting") : t("staffBatch.inviteAll", { count: state.rows.length })}
            </button>
          </>
        )}
        {state.step === "done" && (
          <>
            <p role="status">{t("staffBatch.done", { count: state.invited.length })}</p>
            <p class="hint">{t("staffBatch.sheetHint")}</p>
            <button class="primary" disabled={busy} onClick={() => void downloadSheet(state.invited)}>
              {t("staffBatch.downloadSheet")}
            </button>
            <ul class="admin-invitations" aria-label={t("staffBatch.invited")}>
              {state.invited.map((p) => (
                <li key={p.url}>
                  <span class="member-name">
                    <span class="admin-member-name">{p.displayName}</span>
                    {p.department !== "" && <span class="hint">{p.department}</span>}
                  </span>
                  <input
                    class="batch-link"
                    readOnly
                    value={p.url}
                    aria-label={t("staffBatch.linkFor", { name: p.displayName })}
                    onFocus={(e) => e.currentTarget.select()}
                  />
                </li>
              ))}
            </ul>
            <button class="secondary" onClick={resetBatch}>
              {t("staffBatch.again")}
            </button>
          </>
        )}
      </div>
    </section>
  );
}

import { useEffect } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import {
  colleagues,
  colleagueSearch,
  colleaguesProblem,
  loadColleagues,
  shownColleagues,
} from "../state/colleagues.js";
import { Avatar } from "./Avatar.js";
import { Icon } from "./icons.js";

/** Colleagues with role and department, searchable: for every member. */
export function Directory() {
  useEffect(() => {
    void loadColleagues();
  }, []);
  const list = shownColleagues.value;
  return (
    <section class="info" aria-labelledby="colleagues-title">
      <header class="bar">
        <a class="icon-button back" href="#/" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="colleagues-title" class="bar-title">
          {t("colleagues.title")}
        </h2>
      </header>
      <div class="info-body">
        <label for="colleague-search">{t("colleagues.search")}</label>
        <input
          id="colleague-search"
          type="search"
          placeholder={t("colleagues.searchPlaceholder")}
          value={colleagueSearch.value}
          onInput={(e) => (colleagueSearch.value = e.currentTarget.value)}
        />
        <p class="hint">{t("colleagues.explain")}</p>
        {colleaguesProblem.value && (
          <p class="error" role="alert">
            {colleaguesProblem.value}
          </p>
        )}
        {colleagues.value === undefined && !colleaguesProblem.value && <p aria-busy="true">{t("admin.loading")}</p>}
        {colleagues.value !== undefined && list.length === 0 && <p class="hint">{t("colleagues.nobody")}</p>}
        <ul class="admin-members colleague-list" aria-labelledby="colleagues-title">
          {list.map((c) => (
            <li key={c.accountId} class="admin-member">
              <div class="admin-member-head">
                <Avatar name={c.displayName} />
                <span class="member-name">
                  <span class="admin-member-name">{c.displayName}</span>
                  <span class="chips">
                    <span class={`role-chip role-${c.role}`}>
                      {c.role === "admin" ? t("admin.roleAdmin") : t("admin.roleMember")}
                    </span>
                    {c.department !== "" && <span class="department">{c.department}</span>}
                    {c.title !== "" && <span class="hint">{c.title}</span>}
                  </span>
                </span>
              </div>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

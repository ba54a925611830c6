import { useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { isBusy } from "../state/actions.js";
import { setDepartment, type MemberView } from "../state/administration.js";

/** The department line of one member in the Verwaltung: what colleagues read in the directory. */
export function DepartmentEditor({ member }: { member: MemberView }) {
  const [value, setValue] = useState(member.department);
  const id = `department-${member.accountId}`;
  return (
    <form
      class="department-form"
      onSubmit={(e) => {
        e.preventDefault();
        void setDepartment(member, value);
      }}
    >
      <label for={id}>{t("admin.department", { name: member.displayName })}</label>
      <div class="department-row">
        <input id={id} value={value} maxLength={64} onInput={(e) => setValue(e.currentTarget.value)} />
        <button
          type="submit"
          class="secondary small"
          disabled={isBusy("admin") || value.trim() === member.department}
          aria-label={t("admin.departmentSaveNamed", { name: member.displayName })}
        >
          {t("admin.departmentSave")}
        </button>
      </div>
    </form>
  );
}

import { Icon } from "./icons.js";

/** Initials on a colour derived from the name, so people are told apart at a glance. */
export function Avatar({ name, group = false }: { name: string; group?: boolean }) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toLocaleUpperCase() ?? "")
    .join("");
  return (
    <span class="avatar" style={{ backgroundColor: `hsl(${hash % 360} 45% 42%)` }} aria-hidden="true">
      {group ? <Icon name="group" size={20} /> : initials || "?"}
    </span>
  );
}

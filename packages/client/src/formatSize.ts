/** "25 MB", "1,5 GB": decimal units, as people and the CLI's --max-attachment write them. */
export function formatSize(bytes: number, language: "de" | "en"): string {
  const units: [number, string][] = [
    [1e9, "GB"],
    [1e6, "MB"],
    [1e3, "kB"],
  ];
  const [size, unit] = units.find(([u]) => bytes >= u) ?? [1, "B"];
  const value = Math.round((bytes / size) * 10) / 10;
  return `${language === "de" ? String(value).replace(".", ",") : String(value)} ${unit}`;
}

/**
 * The few Markdown forms the server's privacy documents use (headings,
 * paragraphs, lists, tables, **bold**, _italic_, `code`), rendered as
 * elements: never as HTML, so no text of the document can become markup.
 */
import type { ComponentChildren } from "preact";

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const pattern = /\*\*(.+?)\*\*|`(.+?)`|(?:^|(?<=\s))_(.+?)_(?=\s|$|[.,])/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    if (m[1] !== undefined) out.push(<strong>{m[1]}</strong>);
    else if (m[2] !== undefined) out.push(<code>{m[2]}</code>);
    else out.push(<em>{m[3]}</em>);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

const cells = (line: string): string[] =>
  line
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());

export function Markdown({ text }: { text: string }) {
  const blocks: ComponentChildren[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
    } else if (line.startsWith("#")) {
      const level = /^#+/.exec(line)![0].length;
      const content = inline(line.slice(level).trim());
      blocks.push(level === 1 ? <h3>{content}</h3> : <h4>{content}</h4>);
      i++;
    } else if (line.startsWith("|")) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith("|"); i++) {
        if (!/^\|[\s|:-]+\|$/.test(lines[i]!)) rows.push(cells(lines[i]!));
      }
      const [head, ...body] = rows;
      blocks.push(
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                {head?.map((c) => (
                  <th>{inline(c)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {body.map((r) => (
                <tr>
                  {r.map((c) => (
                    <td>{inline(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      );
    } else if (line.startsWith("- ")) {
      const items: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith("- "); i++) items.push(lines[i]!.slice(2));
      blocks.push(
        <ul>
          {items.map((item) => (
            <li>{inline(item)}</li>
          ))}
        </ul>,
      );
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== "" && !/^[#|]|^- /.test(lines[i]!); i++) para.push(lines[i]!);
      blocks.push(<p>{inline(para.join(" "))}</p>);
    }
  }
  return <div class="markdown">{blocks}</div>;
}

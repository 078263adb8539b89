// The model's markdown as plain text, for places that cannot render it (the terminal, the
// Problems view): emphasis and code marks dropped, the words kept, list items on their own
// lines with their bullet or number, a link's address after its text. markdown-it reads the
// markdown, so `2\*3` and `**bold**` come out as a reader would see them rendered.

import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable("image");

function inlineText(children: MarkdownIt.Token[]): string {
  let out = "";
  let href = "";
  let linkStart = 0;
  for (const t of children) {
    if (t.type === "text" || t.type === "code_inline") out += t.content;
    else if (t.type === "softbreak" || t.type === "hardbreak") out += "\n";
    else if (t.type === "link_open") {
      href = String(t.attrGet("href") ?? "");
      linkStart = out.length;
    } else if (t.type === "link_close") {
      if (href && out.slice(linkStart) !== href && `mailto:${out.slice(linkStart)}` !== href) out += ` (${href})`;
      href = "";
    }
  }
  return out;
}

/** Markdown as text: one line per paragraph line, list item or heading, no markup. */
export function plainText(markdown: string): string {
  const lines: string[] = [];
  // Open lists, innermost last; `indent` is where the text of the current item starts.
  const lists: { ordered: boolean; next: number; indent: number }[] = [];
  let bullet = "";
  for (const t of md.parse(markdown, {})) {
    const list = lists[lists.length - 1];
    switch (t.type) {
      case "bullet_list_open":
      case "ordered_list_open":
        lists.push({ ordered: t.type === "ordered_list_open", next: Number(t.attrGet("start") ?? 1), indent: list?.indent ?? 0 });
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open":
        bullet = `${" ".repeat(lists[lists.length - 2]?.indent ?? 0)}${list.ordered ? `${list.next++}.` : "-"} `;
        list.indent = bullet.length;
        break;
      case "inline":
        for (const line of inlineText(t.children ?? []).split("\n")) {
          lines.push((bullet || " ".repeat(list?.indent ?? 0)) + line);
          bullet = "";
        }
        break;
      case "fence":
      case "code_block":
        lines.push(...t.content.replace(/\n$/, "").split("\n"));
        break;
    }
  }
  return lines.join("\n");
}

/** Markdown as one line of text (a diagnostic's message). */
export function plainLine(markdown: string): string {
  return plainText(markdown).replace(/\s+/g, " ").trim();
}

// The model's issues and analyses are markdown (`**Accuracy-Critical**`, numbered lists,
// `code`). They are rendered as elements, safely, in two steps: markdown-it with raw HTML off
// (a `<script>` in the model's text stays text) and images off (nothing remote is ever
// fetched), then DOMPurify on its output as a second line, keeping only the elements and
// attributes below and links to http(s) and mailto. The result is a DOM fragment, never an
// HTML string handed to innerHTML, and needs nothing the webviews' strict CSP forbids.

import DOMPurify, { type Config } from "dompurify";
import MarkdownIt from "markdown-it";

// breaks: the model writes one line per point without blank lines between; each stays a line.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true }).disable("image");

const ALLOWED_TAGS = ["p", "br", "strong", "em", "del", "s", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td"];

const PURIFY: Config & { RETURN_DOM_FRAGMENT: true } = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ["href", "start"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};

/** A block of model markdown (paragraphs, lists) as safe elements. */
export function markdownBlock(text: string): DocumentFragment {
  return DOMPurify.sanitize(md.render(text), PURIFY);
}

/** One line of model markdown (an issue) as safe inline elements. */
export function markdownInline(text: string): DocumentFragment {
  return DOMPurify.sanitize(md.renderInline(text), PURIFY);
}

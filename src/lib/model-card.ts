/**
 * The model card (static/models/MODEL_CARD.md, written by training/evaluate.py) as HTML for the
 * /model page. Runs at build time only: the page is prerendered, so the markdown parser never
 * ships to the reader.
 */
import { Marked, type Tokens } from 'marked';

/** A heading's anchor: lowercase words joined by hyphens, as GitHub names them. */
export function slug(text: string): string {
	return text
		.toLowerCase()
		.replace(/<[^>]+>/g, '')
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.trim()
		.replace(/\s+/g, '-');
}

/**
 * `modelsUrl`: where the card's own files (galleries) are served, so `gallery.png` in the card
 * becomes `<modelsUrl>/gallery.png` on the page.
 */
export function cardHtml(markdown: string, modelsUrl: string): { title: string; html: string } {
	// The export's section markers (<!-- student -->) are for the tool that rewrites the card.
	const text = markdown.replace(/<!--[\s\S]*?-->/g, '');
	const titleMatch = /^# (.+)$/m.exec(text);
	const title = titleMatch?.[1]?.trim() ?? 'Model card';
	const body = titleMatch ? text.replace(titleMatch[0], '') : text;
	const marked = new Marked({
		gfm: true,
		renderer: {
			heading(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, h: Tokens.Heading) {
				const inner = this.parser.parseInline(h.tokens);
				return `<h${h.depth} id="${slug(h.text)}">${inner}</h${h.depth}>\n`;
			},
			image(img: Tokens.Image) {
				const local = !/^[a-z]+:|^\//i.test(img.href);
				const src = local ? `${modelsUrl}/${img.href}` : img.href;
				return `<img src="${src}" alt="${img.text.replace(/"/g, '&quot;')}" loading="lazy" />`;
			}
		}
	});
	return { title, html: marked.parse(body, { async: false }) };
}

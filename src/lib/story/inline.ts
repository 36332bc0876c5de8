/** A tiny inline markup for the story's own prose: *em*, **strong**, `code`, [text](href). */

export type Piece =
	| { kind: 'text' | 'em' | 'strong' | 'code'; text: string }
	| { kind: 'link'; text: string; href: string };

const TOKEN = /\*\*([^*]+)\*\*|\*([^*]+)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;

export function parseInline(source: string): Piece[] {
	const out: Piece[] = [];
	let last = 0;
	for (const m of source.matchAll(TOKEN)) {
		const at = m.index ?? 0;
		if (at > last) out.push({ kind: 'text', text: source.slice(last, at) });
		if (m[1] !== undefined) out.push({ kind: 'strong', text: m[1] });
		else if (m[2] !== undefined) out.push({ kind: 'em', text: m[2] });
		else if (m[3] !== undefined) out.push({ kind: 'code', text: m[3] });
		else out.push({ kind: 'link', text: m[4] ?? '', href: m[5] ?? '' });
		last = at + m[0].length;
	}
	if (last < source.length) out.push({ kind: 'text', text: source.slice(last) });
	return out;
}

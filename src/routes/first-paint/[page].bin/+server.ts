/**
 * Prerendered at build time: one page's first paint as a packed file (the home page's, or a
 * chapter's), holding what its figures show for the default link (see $lib/server/build-first-paint).
 */
import { error } from '@sveltejs/kit';
import { builtFirstPaint, FIRST_PAINT_PAGES } from '$lib/server/build-first-paint';
import type { EntryGenerator, RequestHandler } from './$types';

export const prerender = true;

export const entries: EntryGenerator = () => FIRST_PAINT_PAGES.map((page) => ({ page }));

export const GET: RequestHandler = async ({ params }) => {
	if (!FIRST_PAINT_PAGES.includes(params.page)) error(404, 'No such page.');
	const bytes = (await builtFirstPaint()).bytesFor(params.page);
	return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
};

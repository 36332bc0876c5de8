import { error } from '@sveltejs/kit';
import { browser } from '$app/environment';
import { live } from '$lib/live.svelte';
import { CHAPTERS, chapterBySlug } from '$lib/story/chapters';
import { linkBackend, linkModel } from '$lib/url-state';
import type { EntryGenerator, PageLoad } from './$types';

export const entries: EntryGenerator = () => CHAPTERS.map((c) => ({ chapter: c.slug }));

export const load: PageLoad = async ({ params, url }) => {
	const chapter = chapterBySlug(params.chapter);
	if (!chapter) error(404, 'There is no chapter by that name.');
	if (browser) {
		// The model's files and its runtime download while the page renders, the model the link
		// shows first; a chapter with no live figure (only diagrams) never needs the model.
		live.page(chapter.steps.some((s) => s.figure.name));
		void live.start(linkBackend(url.searchParams), linkModel(url.searchParams));
		// The server rendered the figures from the first paint: hydrate with the same data, so
		// no pixel changes (app.html preloads the file; later pages have it already).
		await live.loadFirstPaint(chapter.slug);
	}
	return { chapter };
};

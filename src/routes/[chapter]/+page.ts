import { error } from '@sveltejs/kit';
import { CHAPTERS, chapterBySlug } from '$lib/story/chapters';
import type { EntryGenerator, PageLoad } from './$types';

export const entries: EntryGenerator = () => CHAPTERS.map((c) => ({ chapter: c.slug }));

export const load: PageLoad = ({ params }) => {
	const chapter = chapterBySlug(params.chapter);
	if (!chapter) error(404, 'There is no chapter by that name.');
	return { chapter };
};

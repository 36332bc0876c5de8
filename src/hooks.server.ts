import type { Handle } from '@sveltejs/kit';
import { live } from '$lib/live.svelte';
import { builtFirstPaint } from '$lib/server/build-first-paint';

/**
 * Chapter pages render their figures on the server from the build's first paint, so the
 * prerendered HTML shows them before (and without) any script. The data is the same for every
 * page and reader (the default prompt), so sharing it through `live` on the server is safe.
 */
export const handle: Handle = async ({ event, resolve }) => {
	if (event.route.id === '/[chapter]') live.useFirstPaint((await builtFirstPaint()).firstPaint);
	return resolve(event);
};

import { browser } from '$app/environment';
import { live } from '$lib/live.svelte';
import { linkBackend } from '$lib/url-state';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => {
	// The model's files download and its runtime compiles while the page renders.
	if (browser) void live.start(linkBackend(url.searchParams));
};

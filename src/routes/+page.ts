import { browser } from '$app/environment';
import { live } from '$lib/live.svelte';
import { linkBackend, linkModel } from '$lib/url-state';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => {
	// The model's files and its runtime download while the page renders; the model the link
	// shows first.
	if (browser) {
		live.page(true);
		void live.start(linkBackend(url.searchParams), linkModel(url.searchParams));
	}
};

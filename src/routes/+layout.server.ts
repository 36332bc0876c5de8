/**
 * Read once at build time (every page is prerendered, see +layout.ts): the limits of the
 * figures' link settings, from the shipped manifest and sample set, so each page reads its
 * link with the model's own limits before anything is fetched, and none is typed in.
 */
import { manifest, sampleCount } from '$lib/shipped';
import { linkLimits, type LinkLimits } from '$lib/url-state';

export function load(): { linkLimits: LinkLimits } {
	return { linkLimits: linkLimits(manifest, sampleCount) };
}

/** Prerendered at build time: the first paint as one packed file (see $lib/server/build-first-paint). */
import { builtFirstPaint } from '$lib/server/build-first-paint';

export const prerender = true;

export async function GET() {
	const { bytes } = await builtFirstPaint();
	return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
}

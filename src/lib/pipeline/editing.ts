/**
 * The editing chapter's pictures, strengths and masks (an edit's cache key is results.ts's).
 * Masks are per latent cell (8 × 8 here), 1 = repaint; in a link they are a preset's name
 * or 16 hex digits (64 bits, row-major, first cell in the highest bit).
 */

/** The strengths of the figure's strip, always computed (the link's own is added). */
export const EDIT_STRENGTHS = [0.25, 0.5, 0.75, 1] as const;

/** The picture the chapter starts from, by its sample label (else the first sample). */
export const EDIT_SAMPLE_LABEL = 'red apple';

export type MaskPreset = 'centre' | 'top' | 'bottom' | 'left' | 'right' | 'border';
export const MASK_PRESETS: readonly MaskPreset[] = [
	'centre',
	'top',
	'bottom',
	'left',
	'right',
	'border'
];
/** The inpainting step's mask when the link names none. */
export const DEFAULT_MASK: MaskPreset = 'centre';

/** A preset's cells on an S × S grid (1 = repaint). */
export function presetMask(preset: MaskPreset, S: number): number[] {
	const h = S / 2;
	const q = S / 4;
	const inside: Record<MaskPreset, (r: number, c: number) => boolean> = {
		centre: (r, c) => r >= q && r < S - q && c >= q && c < S - q,
		top: (r) => r < h,
		bottom: (r) => r >= h,
		left: (_, c) => c < h,
		right: (_, c) => c >= h,
		border: (r, c) => r < q || r >= S - q || c < q || c >= S - q
	};
	return Array.from({ length: S * S }, (_, k) =>
		inside[preset](Math.floor(k / S), k % S) ? 1 : 0
	);
}

/** A mask as it goes into a link: its preset's name if it is one, else hex digits. */
export function maskToLink(mask: ArrayLike<number>, S: number): string {
	const cells = Array.from(mask);
	const preset = MASK_PRESETS.find((p) => presetMask(p, S).every((v, k) => v === cells[k]));
	if (preset) return preset;
	let hex = '';
	for (let k = 0; k < cells.length; k += 4)
		hex += (
			(cells[k]! << 3) |
			(cells[k + 1]! << 2) |
			(cells[k + 2]! << 1) |
			cells[k + 3]!
		).toString(16);
	return hex;
}

/** A link's mask (a preset's name or S × S / 4 hex digits) as cells; undefined if it is neither. */
export function maskFromLink(raw: string, S: number): number[] | undefined {
	if ((MASK_PRESETS as readonly string[]).includes(raw)) return presetMask(raw as MaskPreset, S);
	if (!new RegExp(`^[0-9a-f]{${(S * S) / 4}}$`, 'i').test(raw)) return undefined;
	return [...raw].flatMap((d) => {
		const v = parseInt(d, 16);
		return [(v >> 3) & 1, (v >> 2) & 1, (v >> 1) & 1, v & 1];
	});
}

/** A short fingerprint of a picture's latent, so the reader's own pictures get keys of their own. */
export function latentId(latent: Float32Array): string {
	let h = 0x811c9dc5;
	const bytes = new Uint8Array(latent.buffer, latent.byteOffset, latent.byteLength);
	for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
	return h.toString(16);
}

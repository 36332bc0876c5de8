/**
 * How the figures name a step of the denoising loop, so the two numbers never mix: its place
 * in the loop, "step k of n" (counted from 1; the link's `t` is this place counted from 0),
 * and its timestep, "t = …", the noise level the U-Net is told (999 is pure noise).
 */
export function describeStep(
	index: number,
	count: number,
	t: number | undefined,
	/** ', ' where the words are read aloud (accessible names): screen readers may skip "·". */
	sep = ' · '
): string {
	return `step ${index + 1} of ${count}${sep}t = ${t ?? ''}`;
}

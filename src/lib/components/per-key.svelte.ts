import { untrack } from 'svelte';

/**
 * Props for `<Component {...props} />` as one derived per key, so that a component re-runs
 * only what reads a prop whose value changed, as with one attribute per prop (a drawing on
 * the VAE's pad is not cleared by a new note). Call it where the component is created; the
 * props must keep their keys from one call of `get` to the next.
 */
export function perKey<P extends object>(get: () => P): P {
	const fine = {} as P;
	for (const key of Object.keys(untrack(get)) as (keyof P)[]) {
		const value = $derived(get()[key]);
		Object.defineProperty(fine, key, { get: () => value, enumerable: true });
	}
	return fine;
}

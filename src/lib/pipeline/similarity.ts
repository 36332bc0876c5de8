/** CLIP's comparisons: cosine similarities between embeddings, and a 2D map of them. */

export function normalize(v: Float32Array): Float32Array {
	const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
	return v.map((x) => x / n);
}

/** Splits a [count, dim] buffer into rows. */
export function rows(data: Float32Array, dim: number): Float32Array[] {
	return Array.from({ length: data.length / dim }, (_, i) => data.slice(i * dim, (i + 1) * dim));
}

/** sim[i][j] = cos(a_i, b_j). */
export function cosineMatrix(a: Float32Array[], b: Float32Array[]): number[][] {
	const na = a.map(normalize);
	const nb = b.map(normalize);
	return na.map((x) => nb.map((y) => x.reduce((s, v, k) => s + v * y[k]!, 0)));
}

/**
 * Projects vectors to 2D along their two main directions (PCA by power iteration on the
 * centred data), so texts and images that CLIP puts close together land close on the map.
 */
export function project2d(vectors: Float32Array[], iterations = 100): [number, number][] {
	if (vectors.length === 0) return [];
	const dim = vectors[0]!.length;
	const mean = new Float32Array(dim);
	for (const v of vectors) for (let k = 0; k < dim; k++) mean[k]! += v[k]! / vectors.length;
	const centred = vectors.map((v) => v.map((x, k) => x - mean[k]!));
	const axes: Float32Array[] = [];
	for (let a = 0; a < 2; a++) {
		// Deterministic start, so the same embeddings always give the same map.
		let axis: Float32Array = normalize(
			Float32Array.from({ length: dim }, (_, k) => Math.cos(k + a))
		);
		for (let it = 0; it < iterations; it++) {
			const next = new Float32Array(dim);
			for (const v of centred) {
				const p = v.reduce((s, x, k) => s + x * axis[k]!, 0);
				for (let k = 0; k < dim; k++) next[k]! += p * v[k]!;
			}
			for (const prev of axes) {
				const d = next.reduce((s, x, k) => s + x * prev[k]!, 0);
				for (let k = 0; k < dim; k++) next[k]! -= d * prev[k]!;
			}
			axis = normalize(next);
		}
		axes.push(axis);
	}
	return centred.map((v) => [
		v.reduce((s, x, k) => s + x * axes[0]![k]!, 0),
		v.reduce((s, x, k) => s + x * axes[1]![k]!, 0)
	]);
}

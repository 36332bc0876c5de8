/**
 * What the loop chapter may say about the samplers, decided from the model card's
 * measurements (static/models/metrics.json `samplers`, read at build time), never typed in:
 * comparisons at equal steps (equal U-Net runs), with the intervals deciding whether a
 * difference counts. tests/unit/sampler-claims.test.ts checks every phrase against the file.
 */
import type { SamplerRow, SchedulerName } from '$lib/pipeline/manifest';
import {
	kidRelation,
	phrase,
	psnrRelation,
	top1Relation,
	type Relation
} from './distillation-claims';
import { SAMPLER_NAMES } from '$lib/pipeline/scheduler';

export { psnrRelation, SAMPLER_NAMES };

const find = (rows: SamplerRow[], s: SchedulerName, steps: number) =>
	rows.find((r) => r.sampler === s && r.steps === steps);

/** The numbers a row is judged by (the PSNR against the reference is not: the reference has none). */
const judged = (r: SamplerRow) => [r.top1_of_all, r.top5_of_all, r.kid_x1000];

/** Whether two samplers' rows agree in every judged number at every step count both have. */
export function samePictures(rows: SamplerRow[], a: SchedulerName, b: SchedulerName): boolean {
	const ra = rows.filter((r) => r.sampler === a);
	if (!ra.length) return false;
	return ra.every((r) => {
		const o = find(rows, b, r.steps);
		return o !== undefined && judged(r).every((v, i) => v === judged(o)[i]);
	});
}

/** Pairs that are one method in two coordinate systems, where the card shows it. */
export function samePairs(rows: SamplerRow[]): [SchedulerName, SchedulerName][] {
	return (
		[
			['euler', 'ddim'],
			['ddpm', 'euler_a']
		] as [SchedulerName, SchedulerName][]
	).filter(([a, b]) => samePictures(rows, a, b));
}

/** Closeness to DDIM's 25-step picture, as the prose says it. */
const CLOSER: Record<Relation, string> = {
	better: 'closer to',
	'not measurably different': 'not measurably closer to',
	worse: 'farther from'
};
const db = (r: SamplerRow) => `${r.psnr_vs_teacher25_db!.toFixed(1)} dB`;
const dbCi = (r: SamplerRow) => `[${r.psnr_ci![0].toFixed(1)}, ${r.psnr_ci![1].toFixed(1)}]`;
const pct = (v: number) => `${v.toFixed(0)}%`;

/** Sentences for the loop chapter's sampler step, each from the card's rows. */
export function samplerSentences(rows: SamplerRow[]): string[] {
	const out: string[] = [];
	const ones = rows.filter((r) => r.steps === 1);
	if (ones.length > 1 && ones.every((r) => judged(r).every((v, i) => v === judged(ones[0]!)[i])))
		out.push(
			'At 1 step every sampler draws the same picture: from pure noise, one step can only jump to its estimate of the clean latent.'
		);
	const pairs = samePairs(rows);
	if (pairs.length)
		out.push(
			`${pairs.map(([a, b]) => `${SAMPLER_NAMES[a]} draws ${SAMPLER_NAMES[b]}'s pictures`).join(' and ')}, at every step count, with the trailing timesteps the model card measured: its numbers for each pair are identical. Each pair is one method written for x, or for x / √ᾱ, where the Euler samplers work (with leading timesteps DDIM's last step stops short of clean, Euler's does not).`
		);
	for (const steps of [4, 8]) {
		const dpm = find(rows, 'dpmpp_2m', steps);
		const ddim = find(rows, 'ddim', steps);
		const rel = dpm && ddim ? psnrRelation(dpm, ddim) : undefined;
		if (!dpm || !ddim || !rel) continue;
		out.push(
			`In ${steps} steps (${dpm.unet_runs} U-Net runs) DPM-Solver++ (2M) lands **${CLOSER[rel]}** DDIM's 25-step picture than DDIM itself in ${steps}: ${db(dpm)} ${dbCi(dpm)} against ${db(ddim)} ${dbCi(ddim)} (median PSNR, 95% intervals).`
		);
	}
	const anc = find(rows, 'euler_a', 25);
	const ddim25 = find(rows, 'ddim', 25);
	const ddim8 = find(rows, 'ddim', 8);
	if (anc && ddim25 && anc.psnr_vs_teacher25_db !== undefined) {
		const vs8 = ddim8 ? psnrRelation(anc, ddim8) : undefined;
		const context =
			ddim8 && vs8 === 'worse' ? `, below the ${db(ddim8)} of DDIM's own 8 steps` : '';
		const top1 = top1Relation(anc, ddim25);
		const kid = kidRelation(anc, ddim25);
		const lead =
			top1 !== 'worse' && kid !== 'worse' ? 'Different, and not measurably worse' : 'Different';
		out.push(
			`Euler ancestral does not head for DDIM's picture: its fresh noise makes a different picture of the same prompt. Over the model card's generations, the median PSNR of its 25-step picture against DDIM's is ${db(anc)}${context}; one seed may still happen to land close. ${lead}: at 25 steps its pictures are **${phrase(top1)}** DDIM's at naming their caption (${pct(anc.top1_of_all)} against ${pct(ddim25.top1_of_all)}) and **${phrase(kid)}** DDIM's by their distance to real emoji (KID ${anc.kid_x1000.toFixed(1)} against ${ddim25.kid_x1000.toFixed(1)}).`
		);
	}
	return out;
}

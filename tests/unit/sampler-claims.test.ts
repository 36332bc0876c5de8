/**
 * Every claim the loop chapter makes about the samplers is decided again here, from
 * static/models/metrics.json read afresh, and must be what the prose says.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SamplerRow, SchedulerName } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import {
	psnrRelation,
	samePairs,
	samePictures,
	samplerSentences
} from '../../src/lib/story/sampler-claims';

const rows = (
	JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as { samplers?: SamplerRow[] }
).samplers!;
const prose = CHAPTERS.find((c) => c.slug === 'denoising-loop')!
	.steps.find((s) => s.id === 'samplers')!
	.paragraphs.join('\n');
const row = (s: SchedulerName, steps: number) =>
	rows.find((r) => r.sampler === s && r.steps === steps)!;

describe('the sampler step', () => {
	it('says every sentence the model card supports, and only those', () => {
		expect(rows.length).toBe(25);
		const said = samplerSentences(rows);
		expect(said.length).toBeGreaterThanOrEqual(4);
		for (const s of said) expect(prose).toContain(s);
		const n = row('ddim', 1).images;
		expect(prose).toContain(
			`${n.toLocaleString('en-US')} generations, the names of ${(n / 2).toLocaleString('en-US')} emoji with two seeds each (one of the two drawings of each of these emoji was held out of training; the other was trained on, under the same name)`
		);
		expect(prose).not.toMatch(/held-out prompts/);
	});

	it('calls pictures the same only where every number agrees at every step count', () => {
		const judged = (r: SamplerRow) => [r.top1_of_all, r.top5_of_all, r.kid_x1000];
		for (const [a, b] of samePairs(rows))
			for (const steps of [1, 2, 4, 8, 25])
				expect(judged(row(a, steps))).toEqual(judged(row(b, steps)));
		// DDIM and Euler ancestral differ from 2 steps on, so the check can fail.
		expect(samePictures(rows, 'ddim', 'euler_a')).toBe(false);
		const changed = rows.map((r) =>
			r.sampler === 'euler' && r.steps === 8 ? { ...r, kid_x1000: r.kid_x1000 + 1 } : r
		);
		expect(samePictures(changed, 'euler', 'ddim')).toBe(false);
		expect(samePairs(changed)).not.toContainEqual(['euler', 'ddim']);
	});

	it('says "closer" only where the PSNR intervals part', () => {
		for (const steps of [4, 8]) {
			const dpm = row('dpmpp_2m', steps);
			const ddim = row('ddim', steps);
			const rel = psnrRelation(dpm, ddim);
			expect(rel).toBe(
				dpm.psnr_ci![0] > ddim.psnr_ci![1]
					? 'better'
					: dpm.psnr_ci![1] < ddim.psnr_ci![0]
						? 'worse'
						: 'not measurably different'
			);
			const word = {
				better: 'closer to',
				'not measurably different': 'not measurably closer to',
				worse: 'farther from'
			}[rel!];
			expect(prose).toContain(
				`In ${steps} steps (${2 * steps} U-Net runs) DPM-Solver++ (2M) lands **${word}**`
			);
		}
		const a = { ...row('ddim', 4), psnr_ci: [20, 22] as [number, number] };
		const b = { ...row('ddim', 4), psnr_ci: [21, 23] as [number, number] };
		expect(psnrRelation(a, b)).toBe('not measurably different');
		expect(psnrRelation({ ...a, psnr_ci: [24, 25] }, b)).toBe('better');
		expect(psnrRelation(row('ddim', 25), b)).toBeUndefined(); // the reference has no PSNR
	});
});

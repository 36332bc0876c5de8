/**
 * Every number the prose quotes from the model's files is the number in the files: computed
 * here again from manifest.json, metrics.json and bench.json read afresh, so a changed file
 * changes the sentence or fails this test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GridRow, Manifest } from '../../src/lib/pipeline/manifest';
import { leadingTimesteps } from '../../src/lib/pipeline/scheduler';
import { CHAPTERS } from '../../src/lib/story/chapters';
import { GLOSSARY } from '../../src/lib/story/glossary';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
const metrics = JSON.parse(readFileSync('static/models/metrics.json', 'utf8')) as {
	grid: GridRow[];
};
const chapter = (slug: string) =>
	CHAPTERS.find((c) => c.slug === slug)!
		.steps.flatMap((s) => [...s.paragraphs, ...(s.figure.note?.lines ?? [])])
		.join('\n');
const glossary = (id: string) => GLOSSARY.find((t) => t.id === id)!.definition;
const en = (n: number) => n.toLocaleString('en-US');
const T = manifest.schedule.num_train_timesteps;
const abar = manifest.schedule.alphas_cumprod;
const student = manifest.models!.student!;
const steps = manifest.sampler.steps;

describe('numbers the prose reads from the model files', () => {
	it('the model’s sizes', () => {
		const { size: R } = manifest.image;
		const { channels: C, size: S } = manifest.latent;
		expect(chapter('parts')).toContain(`${R} × ${R} pixel pictures`);
		expect(chapter('vae')).toContain(
			`turns ${R} × ${R} colour pixels into a latent of ${C} channels of ${S} × ${S}`
		);
		expect(chapter('decoding')).toContain(
			`grows ${C} × ${S} × ${S} numbers back into ${R} × ${R} pixels`
		);
		expect(chapter('clip')).toContain(`every image with ${manifest.text.embed_dim} numbers`);
		expect(chapter('unet')).toContain(
			`${manifest.text.context_length} × ${manifest.text.hidden_size} in ours`
		);
		expect(chapter('adding-noise')).toContain(`between 0 and ${T - 1}`);
		expect(chapter('adding-noise')).toContain(
			`β_t from ${manifest.schedule.beta_start} to ${manifest.schedule.beta_end} (scaled linear), T = ${T}`
		);
	});

	it('types no count of emoji into the tokenizer paragraph', () => {
		expect(chapter('clip')).not.toMatch(/about 1,900|1,911/);
		expect(metrics.grid[0]!.captions).toBeGreaterThan(0);
	});

	it('the loop’s defaults and their cost', () => {
		expect(chapter('denoising-loop')).toContain(
			`${steps} DDIM steps, guidance ${manifest.sampler.guidance}`
		);
		expect(chapter('distillation')).toContain(`so ${steps} steps cost ${2 * steps}`);
	});

	it('the noise left at the top of the schedule, and how it amplifies a noise error', () => {
		const kept = Math.sqrt(abar[T - 1]!);
		const noise = Math.sqrt(1 - abar[T - 1]!);
		expect(chapter('adding-noise')).toContain(`weight of √ᾱ = ${kept.toFixed(3)}`);
		expect(chapter('distillation')).toContain(
			`At t = ${T - 1} the clean image is x₀ = (x − ${noise.toFixed(3)} ε) / ${kept.toFixed(3)}`
		);
		expect(chapter('distillation')).toContain(`multiplied by about ${Math.round(noise / kept)}`);
	});

	it('the teacher’s grid and the student’s jumps', () => {
		const K = student.teacher_steps!;
		const two = Math.min(...student.step_counts!.filter((n) => n > 1));
		const text = chapter('distillation');
		expect(text).toContain(`after ${K}/N of its own`);
		expect(text).toContain(`a ${two}-step jump spans ${K / two} of the teacher's ${K} steps`);
		expect(text).toContain(`where the teacher is after ${K}/N`);
		const [gpu, cpu] = student.training!;
		expect(text).toContain(
			`${en(gpu!.paths!)} for a first stage on a GPU, then ${en(cpu!.paths!)} for a fine-tune on a CPU`
		);
		const [g0, g1] = student.guidance_range!;
		expect(text).toContain(`guidance scales from ${g0} to ${g1}:`);
		expect(text).toContain(
			`${en(student.params)} parameters against the teacher's ${en(manifest.models!.teacher!.params)}`
		);
	});

	it('where image-to-image at strength 1 starts in diffusers, for both spacings', () => {
		const lead = leadingTimesteps(T, steps)[0]!;
		const text = chapter('editing');
		expect(text).toContain(`t = ${T - 1} with trailing spacing`);
		expect(text).toContain(`t = ${lead} with Stable Diffusion v1's shipped leading spacing`);
		expect(text).toContain(`where ${Math.sqrt(abar[lead]!).toFixed(2)} survives`);
	});

	it('the VAE’s sizes and scale factor', () => {
		const image = manifest.image.size ** 2 * manifest.image.channels;
		const text = chapter('vae');
		expect(text).toContain(`each image's ${en(image)} numbers`);
		expect(text).toContain(`our factor is ${manifest.latent.scale_factor.toFixed(2)}`);
	});

	it('the glossary’s sizes and defaults', () => {
		const millions = (manifest.models!.teacher!.params / 1e6).toFixed(1);
		expect(glossary('weights')).toContain(`ours about ${millions} million`);
		expect(glossary('u-net')).toContain(`${millions} million in ours`);
		expect(glossary('token')).toContain(`from ${en(manifest.text.vocab_size)}`);
		expect(glossary('wordpiece')).toContain(`its ${en(manifest.text.vocab_size)} tokens`);
		expect(glossary('guidance-scale')).toContain(`our default is ${manifest.sampler.guidance}`);
		expect(glossary('distillation')).toContain(`${en(student.params)} parameters`);
		expect(glossary('timestep')).toContain(`from 0 to ${T - 1}`);
		expect(manifest.training.min_snr_gamma).toBeGreaterThan(0);
		expect(glossary('min-snr')).toContain(`Ours uses γ = ${manifest.training.min_snr_gamma};`);
	});
});

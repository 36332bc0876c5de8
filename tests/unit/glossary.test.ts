import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/lib/pipeline/manifest';
import { CHAPTERS } from '../../src/lib/story/chapters';
import {
	GLOSSARY,
	explainedIn,
	findTerms,
	firstUses,
	markPieces,
	marksByParagraph,
	termsInParagraph,
	type GlossaryTerm
} from '../../src/lib/story/glossary';
import { parseInline } from '../../src/lib/story/inline';

/** A few terms of our own, so the matching rules are tested apart from the real list. */
const TERMS: GlossaryTerm[] = [
	{ id: 'clip', term: 'CLIP', match: ['CLIP'], definition: 'd.' },
	{ id: 'token', term: 'token', match: ['token', 'tokens'], definition: 'd.' },
	{ id: 'latent', term: 'latent', match: ['latent', 'latents'], definition: 'd.' },
	{ id: 'v', term: 'v-prediction', match: ['v'], definition: 'd.' },
	{ id: 'cfg', term: 'CFG', match: ['classifier-free guidance'], definition: 'd.' },
	{ id: 'guidance', term: 'guidance', match: ['guidance'], definition: 'd.' },
	{
		id: 'weights',
		term: 'weights',
		match: ['weights', 'parameters'],
		except: ['Both weights'],
		definition: 'd.'
	}
];

const words = (text: string, terms = TERMS) =>
	findTerms(text, terms).map((m) => `${m.id}:${text.slice(m.start, m.end)}`);

/** Every paragraph of the story, with where it is. */
const PARAGRAPHS = CHAPTERS.flatMap((c) =>
	c.steps.flatMap((s) => s.paragraphs.map((text) => ({ chapter: c.slug, step: s.id, text })))
);

describe('the glossary list', () => {
	it('gives every term a unique anchor, forms to match and a short plain definition', () => {
		expect(new Set(GLOSSARY.map((t) => t.id)).size).toBe(GLOSSARY.length);
		for (const t of GLOSSARY) {
			expect(t.id, t.term).toMatch(/^[a-z][a-z0-9-]*$/);
			expect(t.term.trim().length, t.id).toBeGreaterThan(0);
			expect(t.match.length, t.id).toBeGreaterThan(0);
			for (const m of t.match) expect(m.trim(), t.id).toBe(m);
			expect(t.definition.length, t.id).toBeGreaterThan(40);
			expect(t.definition.length, t.id).toBeLessThanOrEqual(400);
			expect(t.definition, t.id).toMatch(/\.$/);
			// One or two sentences (a period, then a space and a capital, starts the next).
			const sentences = t.definition.split(/[.?!]\s+(?=[A-Z“])/).length;
			expect(sentences, `${t.id}: ${t.definition}`).toBeLessThanOrEqual(2);
			// Plain text: the popover and the glossary page show it as it is.
			expect(t.definition, t.id).not.toMatch(/[*`<>]|\]\(/);
		}
	});

	it('never gives two terms the same form', () => {
		const forms = GLOSSARY.flatMap((t) => t.match);
		expect(new Set(forms).size).toBe(forms.length);
	});

	it('names only chapters that exist', () => {
		for (const t of GLOSSARY)
			if (t.explainedIn)
				expect(
					CHAPTERS.some((c) => c.slug === t.explainedIn),
					t.id
				).toBe(true);
	});

	it('has no dead entries: every term occurs somewhere in the prose', () => {
		const used = new Set(PARAGRAPHS.flatMap((p) => termsInParagraph(p.text).map((m) => m.id)));
		expect(GLOSSARY.filter((t) => !used.has(t.id)).map((t) => t.id)).toEqual([]);
	});

	it('covers the terms a newcomer stumbles on wherever the prose uses them', () => {
		// "query" stands for query, key and value: "key" and "value" are also plain words.
		const wanted = [
			'softmax',
			'τ',
			'temperature',
			'InfoNCE',
			'KL',
			'PSNR',
			'query',
			'residual block',
			'self-attention',
			'cross-attention',
			'DDPM',
			'DDIM',
			'Euler',
			'distil',
			'distillation',
			'weights',
			'parameters',
			'latent',
			'timestep',
			'noise schedule',
			'epsilon prediction',
			'v-prediction',
			'velocity',
			'classifier-free guidance',
			'U-Net',
			'VAE',
			'CLIP',
			'token',
			'embedding',
			'cosine similarity',
			'KID',
			'top-1'
		];
		const except = GLOSSARY.flatMap((t) => t.except ?? []);
		let present = 0;
		for (const word of wanted) {
			const probe: GlossaryTerm[] = [{ id: 'probe', term: word, match: [word], definition: '' }];
			let seen = false;
			for (const p of PARAGRAPHS)
				for (const piece of parseInline(p.text)) {
					if (piece.kind === 'link' || piece.kind === 'code') continue;
					const covered = findTerms(piece.text);
					for (const o of findTerms(piece.text, probe)) {
						seen = true;
						const ok =
							covered.some((m) => m.start <= o.start && m.end >= o.end) ||
							except.some(
								(e) => piece.text.includes(e) && e.toLowerCase().includes(word.toLowerCase())
							);
						expect(ok, `"${word}" in ${p.chapter}#${p.step}: ${piece.text}`).toBe(true);
					}
				}
			if (seen) present++;
		}
		// Most of them are in the prose (not "top-1" or "v-prediction", said in other words).
		expect(present).toBeGreaterThanOrEqual(wanted.length - 4);
	});
});

describe('matching', () => {
	it('matches whole words only', () => {
		expect(words('the tokenizer cuts per-token tokens; a token.')).toEqual([
			'token:tokens',
			'token:token'
		]);
		expect(words('latents, latent_x, latent2 and (latent)')).toEqual([
			'latent:latents',
			'latent:latent'
		]);
		expect(words('v1 uses v, x_v and v-ish; v.')).toEqual(['v:v', 'v:v']);
	});

	it('respects case: a lower-case form also matches capitalised, nothing else', () => {
		expect(words('clip, Clip, clipped, CLIPs, CLIP')).toEqual(['clip:CLIP']);
		expect(words('Latent here. LATENT, lAtent')).toEqual(['latent:Latent']);
		// One-letter forms match exactly as written.
		expect(words('V is not v')).toEqual(['v:v']);
		expect(words('Classifier-free guidance')).toEqual(['cfg:Classifier-free guidance']);
	});

	it('never matches inside another term: the longest form at a position wins', () => {
		expect(words('classifier-free guidance, then guidance')).toEqual([
			'cfg:classifier-free guidance',
			'guidance:guidance'
		]);
	});

	it('skips the phrases where a form means something else', () => {
		expect(words('Both weights add up; the weights and parameters')).toEqual([
			'weights:weights',
			'weights:parameters'
		]);
	});

	it('never marks text in links or inline code', () => {
		const marks = termsInParagraph('[CLIP](/clip) and `latent` but CLIP and *latent*', TERMS);
		const pieces = parseInline('[CLIP](/clip) and `latent` but CLIP and *latent*');
		expect(marks.map((m) => [pieces[m.piece]!.kind, m.id])).toEqual([
			['text', 'clip'],
			['em', 'latent']
		]);
	});
});

describe('first use per chapter', () => {
	const chapter = {
		steps: [
			{ paragraphs: ['A [latent](/vae) link, then `latent` code.', 'No terms here.'] },
			{ paragraphs: ['The **latent** and CLIP.', 'Again the latent, CLIP and tokens.'] },
			{ paragraphs: ['A token, classifier-free guidance and guidance.'] }
		]
	};

	it('marks only the first use of each term, across paragraphs and steps', () => {
		const uses = firstUses(chapter, TERMS);
		expect(uses.map((u) => [u.id, u.step, u.paragraph])).toEqual([
			['latent', 1, 0],
			['clip', 1, 0],
			['token', 1, 1],
			['cfg', 2, 0],
			['guidance', 2, 0]
		]);
		const latent = uses[0]!;
		const piece = parseInline(chapter.steps[1]!.paragraphs[0]!)[latent.piece]!;
		expect(piece).toEqual({ kind: 'strong', text: 'latent' });
	});

	it('starts afresh in every chapter', () => {
		const next = { steps: [{ paragraphs: ['Then CLIP, then CLIP again.'] }] };
		const marks = marksByParagraph([chapter, next], TERMS);
		expect(marks.get('The **latent** and CLIP.')?.map((m) => m.id)).toEqual(['latent', 'clip']);
		expect(marks.get('Again the latent, CLIP and tokens.')?.map((m) => m.id)).toEqual(['token']);
		expect(marks.get('Then CLIP, then CLIP again.')).toEqual([
			{ id: 'clip', piece: 0, start: 5, end: 9 }
		]);
		expect(marks.has('No terms here.')).toBe(false);
	});

	it('cuts a paragraph into runs that keep its text', () => {
		const text = 'Again the latent, CLIP and tokens.';
		const pieces = markPieces(text, termsInParagraph(text, TERMS));
		expect(pieces.map((p) => p.runs.map((r) => r.text).join(''))).toEqual([text]);
		expect(pieces[0]!.runs.filter((r) => r.term).map((r) => r.term!.id)).toEqual([
			'latent',
			'clip',
			'token'
		]);
	});

	it('marks each term once per chapter of the story', () => {
		const marks = marksByParagraph(CHAPTERS);
		for (const c of CHAPTERS) {
			const ids = c.steps.flatMap((s) =>
				s.paragraphs.flatMap((p) => (marks.get(p) ?? []).map((m) => m.id))
			);
			expect(new Set(ids).size, c.slug).toBe(ids.length);
			expect(ids.length, c.slug).toBe(firstUses(c).length);
		}
	});

	it('can look marks up by a paragraph’s text: no paragraph is written twice', () => {
		const texts = PARAGRAPHS.map((p) => p.text);
		expect(new Set(texts).size).toBe(texts.length);
	});

	it('keeps the prose’s text and markup when marked', () => {
		const marks = marksByParagraph(CHAPTERS);
		for (const p of PARAGRAPHS) {
			const pieces = markPieces(p.text, marks.get(p.text));
			expect(pieces.map(({ kind, text }) => ({ kind, text }))).toEqual(
				parseInline(p.text).map(({ kind, text }) => ({ kind, text }))
			);
			for (const piece of pieces) expect(piece.runs.map((r) => r.text).join('')).toBe(piece.text);
		}
	});
});

describe('where each term is explained', () => {
	const where = explainedIn(CHAPTERS);

	it('names a chapter and a step that uses the term, for every term', () => {
		for (const t of GLOSSARY) {
			const w = where.get(t.id);
			expect(w, t.id).toBeDefined();
			const step = w!.chapter.steps[w!.step - 1];
			expect(step, t.id).toBeDefined();
			const used = step!.paragraphs.some((p) => termsInParagraph(p).some((m) => m.id === t.id));
			expect(used, `${t.id} in ${w!.chapter.slug} step ${w!.step}`).toBe(true);
		}
	});

	it('is the first chapter that uses it, unless the list says otherwise', () => {
		expect(where.get('latent')?.chapter.slug).toBe('parts');
		expect(where.get('softmax')?.chapter.slug).toBe('clip');
		expect(where.get('psnr')?.chapter.slug).toBe('vae');
		expect(where.get('ddim')?.chapter.slug).toBe('denoising-loop');
		// "distil" is first said in the loop chapter; the distillation chapter explains it.
		expect(where.get('distillation')?.chapter.slug).toBe('distillation');
	});
});

describe('the numbers the glossary gives for our model', () => {
	// Typed into definitions, so checked against the files they describe: a retrained model
	// with other sizes fails here instead of leaving a stale sentence.
	const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as Manifest;
	const all = GLOSSARY.map((t) => t.definition).join('\n');
	const millions = (manifest.models!.teacher!.params / 1e6).toFixed(1);
	const clipPy = readFileSync('training/clip.py', 'utf8');
	const configPy = readFileSync('training/config.py', 'utf8');

	it('match the manifest', () => {
		const { context_length: L, embed_dim: E, vocab_size: V } = manifest.text;
		const { channels: C, size: S } = manifest.latent;
		expect(all).toContain(`ours about ${millions} million`);
		expect(all).toContain(`${millions} million in ours`);
		expect(all).toContain(`ours up to ${L} from ${V.toLocaleString('en-US')}`);
		expect(all).toContain(`Ours learned its ${V.toLocaleString('en-US')} tokens`);
		expect(all).toContain(`Our CLIP’s have ${E} numbers`);
		expect(all).toContain(`${C} × ${S} × ${S} for ours`);
		expect(all).toContain(`our default is ${manifest.sampler.guidance}`);
	});

	it('match the training code', () => {
		const layers = /layers=(\d+)/.exec(clipPy)![1];
		expect(all).toContain(
			`ours has ${layers} layers, ${manifest.text.embed_dim} numbers and ${manifest.text.context_length} tokens`
		);
		expect(clipPy).toContain('math.log(1 / 0.07)');
		expect(all).toContain('starting at 0.07');
		const gamma = Number(/^MIN_SNR = ([\d.]+)/m.exec(configPy)![1]);
		expect(all).toContain(`Ours uses γ = ${gamma}`);
	});
});

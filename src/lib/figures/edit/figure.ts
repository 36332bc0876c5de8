/** Image-to-image and inpainting: a picture (a sample or the reader's own) edited at several strengths. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import {
	DEFAULT_MASK,
	EDIT_STRENGTHS,
	latentId,
	maskFromLink,
	maskToLink,
	presetMask
} from '../../pipeline/editing';
import { editSample } from '../../pipeline/first-paint-file';
import { timestepsFor } from '../../pipeline/scheduler';
import { DEFAULT_STRENGTH } from '../../pipeline/settings';
import { linkSettings, precomputedSamples, samplesRequest, type Of } from '../requests';
import type { Base, Figure, FigureState } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		edit: Props;
	}
}

/**
 * What the editing figure shows and asks of the model: the link's picture (a sample, or the
 * reader's own), its strength and, on the inpainting step, its mask (the default preset when
 * the link names none; 'none' turns it off), and one edit per strength of the strip, the
 * chosen one first. Undefined while the picture has no latent.
 */
export function editPlan(
	{ fp, manifest }: Pick<Base, 'fp' | 'manifest'>,
	s: Pick<FigureState, 'link' | 'focus' | 'own'>
) {
	const S = manifest.latent.size;
	const inpaint = s.focus === 'inpaint';
	const own = s.link.image === undefined ? s.own : null;
	const sample = own ? -1 : (s.link.image ?? editSample(fp.samples));
	const latent = own ? own.latent : precomputedSamples(fp)?.latents[sample];
	if (!latent) return undefined;
	const link = inpaint ? (s.link.mask ?? DEFAULT_MASK) : 'none';
	const mask = link === 'none' ? null : (maskFromLink(link, S) ?? presetMask(DEFAULT_MASK, S));
	const strength = s.link.strength ?? (inpaint ? 1 : DEFAULT_STRENGTH);
	const settings = linkSettings(manifest, s.link);
	const strengths = [...new Set([...EDIT_STRENGTHS, strength])].sort((a, b) => a - b);
	const request = (st: number, detailed = st === strength): Of<'edit'> => ({
		name: 'edit',
		args: {
			settings,
			source: own ? `own:${latentId(latent)}` : `sample:${sample}`,
			maskLink: mask && maskToLink(mask, S),
			edit: mask ? { latent, mask } : { latent },
			strength: st,
			detailed
		}
	});
	return { settings, strengths, strength, mask, sample, request };
}

export const figure: Figure<Props> = {
	key: (focus) => (focus === 'inpaint' ? '.edit .row' : '.edit .strip'),
	needs: (base, s) => {
		const plan = editPlan(base, s);
		if (!plan) return [samplesRequest(base.fp)];
		const { strength, strengths, request } = plan;
		const edits = [strength, ...strengths.filter((st) => st !== strength)];
		// The samples' codes too: the edits start from their latents.
		return [samplesRequest(base.fp), ...edits.map((st) => request(st))];
	},
	show: (base, s) => {
		const req = editPlan(base, s);
		const title =
			s.focus === 'inpaint'
				? 'Inpainting: repaint part of a picture'
				: 'Image-to-image: start from a picture';
		if (!req) return { title, props: undefined, waiting: 'Encoding your picture…' };
		const chosen = s.results.get(req.request(req.strength));
		const { manifest, fp, dims } = base;
		const timesteps = timestepsFor(
			req.settings.spacing!,
			manifest.schedule.num_train_timesteps,
			req.settings.steps!
		);
		const first = chosen && chosen.start < chosen.steps ? chosen.timesteps[0]! : undefined;
		const on = s.on;
		const own = s.link.image === undefined ? s.own : null;
		return {
			title,
			props: {
				labels: fp.samples.labels,
				thumbs: fp.samples.pixels,
				selected: req.sample,
				onselect: (i) => on.change({ image: i }),
				onupload: on.upload,
				ondraw: on.draw,
				uploadNote: s.ownNote,
				source: own ? own.pixels : fp.samples.pixels[req.sample]!,
				imageSize: dims.R,
				latentSize: dims.S,
				inpaint: s.focus === 'inpaint',
				mask: req.mask,
				onmask: (cells) =>
					on.change({ mask: cells.includes(1) ? maskToLink(cells, dims.S) : 'none' }),
				strength: req.strength,
				onstrength: (v) => on.change({ strength: v }),
				chosen,
				strip: req.strengths.map((st) => ({
					strength: st,
					image: (
						s.results.get(req.request(st)) ?? s.results.get(req.request(st, !(st === req.strength)))
					)?.image
				})),
				timesteps,
				T: manifest.schedule.num_train_timesteps,
				signal: first === undefined ? null : Math.sqrt(manifest.schedule.alphas_cumprod[first]!)
			},
			controls: 'generation'
		};
	}
};

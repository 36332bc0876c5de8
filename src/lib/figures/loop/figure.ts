/** One step of the denoising loop: the U-Net's predictions, guidance, and the scheduler's update. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import type { Manifest } from '../../pipeline/manifest';
import type { Trace } from '../../pipeline/generate';
import { atStep, LOADING, phaseLine, timesteps } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		loop: Props;
	}
}

/** What the loop draws: at guidance 0 the teacher ignores the prompt (and, with a negative
 * prompt, draws that one's picture), so the title must not name the prompt alone. */
export function loopSubject(s: Trace['settings']): string {
	if (s.model === 'student' || s.guidance !== 0) return `The loop for “${s.prompt}”`;
	return s.negativePrompt
		? `The loop at guidance 0: the picture of “${s.negativePrompt}”`
		: `The loop at guidance 0: no prompt (“${s.prompt}” ignored)`;
}

function loopLine(manifest: Manifest, trace: Trace, index: number): string {
	const { guidance, model, negativePrompt } = trace.settings;
	const count = trace.steps.length;
	if (model === 'student')
		return `The student: ${count} step${count === 1 ? '' : 's'}, one U-Net run each, with guidance ${guidance} as one of its inputs: there is no pair of predictions to mix.`;
	if (negativePrompt) {
		if (guidance === 0)
			return `Guidance 0 with a negative prompt: only the prediction for “${negativePrompt}” counts, so this is the picture of the negative prompt.`;
		return `The negative prompt “${negativePrompt}” fills the empty prompt's slot: guidance ${guidance} pushes the noise away from it and toward the prompt.`;
	}
	if (guidance === 0)
		return 'Guidance 0: only the prediction without the prompt counts, so the prompt is ignored: this is the picture with no text.';
	if (guidance === 1)
		return 'Guidance 1: the prediction with the prompt, as it is, with no extra push away from the unprompted one.';
	return (
		phaseLine(manifest, trace, index) ??
		`Guidance ${guidance}: the guided noise is the unprompted prediction moved ${guidance} times the difference the prompt makes.`
	);
}

export const figure: Figure<Props> = {
	key: (focus) => (focus === 'all' ? '.loop' : '.focus'),
	show: ({ trace, dims }, s) => {
		const { i, count } = atStep(trace, s);
		if (!count) return LOADING;
		return {
			title: `${loopSubject(trace.settings)}, step ${i + 1} of ${count}`,
			scrubber: { value: i, count, timesteps: timesteps(trace) },
			props: {
				step: trace.steps[i]!,
				of: count,
				x0Image: s.x0Images[i],
				channels: dims.C,
				latentSize: dims.S,
				imageSize: dims.R,
				prompt: trace.settings.prompt,
				negativePrompt: trace.settings.negativePrompt ?? '',
				focus: s.focus
			},
			controls: 'generation'
		};
	},
	notice: ({ manifest, trace }, _s, { step }) => loopLine(manifest, trace, step)
};

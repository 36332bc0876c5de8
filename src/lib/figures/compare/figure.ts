/** Two generations (the link's and its vs.* one), scrubbed together on one axis of t. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { alignByT, newTokens } from '../../pipeline/compare';
import { curveNotice, settingsChange, sideNotes } from '../../story/compare-text';
import { compareRequests } from '../requests';
import { curveOf, pathsOf, shown, timesteps } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		compare: Props;
	}
}

export const figure: Figure<Props> = {
	key: '.compare-key',
	needs: ({ manifest }, s) => {
		const { a, b } = compareRequests(manifest, s.link, s.compare);
		return [a, b];
	},
	show: (base, s) => {
		const { manifest, dims } = base;
		const r = compareRequests(manifest, s.link, s.compare);
		const d = compareRequests(manifest, {}, s.compare);
		const a = shown(s, 'compare-a', r.a, d.a);
		const b = shown(s, 'compare-b', r.b, d.b);
		const change = settingsChange(r.a.args.settings, r.b.args.settings);
		const title = change.length
			? `Two generations, scrubbed together: ${change.join('; ')}`
			: 'Two generations with the same settings';
		if (!a || !b) return { title, props: undefined, waiting: 'Running the second generation…' };
		const count = a.trace.steps.length;
		const i = Math.min(s.link.t ?? Math.floor(count / 3), count - 1);
		const j = alignByT(a.trace, b.trace, i);
		const [noteA, noteB] = sideNotes(a.trace.settings, b.trace.settings);
		const word = newTokens(a.trace.tokens.tokens, b.trace.tokens.tokens)[0];
		const n = dims.S * dims.S;
		const attention = b.trace.steps[j]?.attention;
		const curve = curveOf(a.trace, b.trace);
		const on = s.on;
		return {
			title,
			notice: curveNotice(curve),
			scrubber: { value: i, count, timesteps: timesteps(a.trace) },
			props: {
				a: { shown: a, name: 'A', note: noteA, cls: 'gen-a' },
				b: { shown: b, name: 'B', note: noteB, cls: 'gen-b' },
				current: i,
				other: j,
				size: dims.R,
				channels: dims.C,
				latentSize: dims.S,
				T: manifest.schedule.num_train_timesteps,
				curve,
				attention:
					word !== undefined && attention
						? {
								word: b.trace.tokens.tokens[word]!,
								map: attention.subarray(word * n, (word + 1) * n)
							}
						: undefined,
				paths: pathsOf(a.trace, b.trace),
				onselect: (k) => on.change({ t: k })
			},
			controls: 'generation'
		};
	}
};

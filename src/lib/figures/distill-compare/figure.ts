/** The teacher's generation and the student's from the same noise, scrubbed together. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { alignByT } from '../../pipeline/compare';
import { curveOf, pairNeeds, pairRunsLine, timesteps, withPair } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'distill-compare': Props;
	}
}

export const figure: Figure<Props> = {
	key: '.compare',
	needs: pairNeeds,
	chapterWide: true,
	show: (base, s) =>
		withPair(base, s, (teacher, student) => {
			const count = teacher.trace.steps.length;
			const i = Math.min(s.link.t ?? Math.floor(count / 3), count - 1);
			const on = s.on;
			return {
				title: `“${teacher.trace.settings.prompt}”: ${count} steps or ${student.trace.steps.length}, scrubbed together`,
				scrubber: { value: i, count, timesteps: timesteps(teacher.trace) },
				props: {
					a: { shown: teacher, name: 'teacher', note: `${count} steps`, cls: 'teacher' },
					b: {
						shown: student,
						name: 'student',
						note: `${student.trace.steps.length} steps`,
						cls: 'student'
					},
					current: i,
					other: alignByT(teacher.trace, student.trace, i),
					size: base.dims.R,
					channels: base.dims.C,
					latentSize: base.dims.S,
					T: base.manifest.schedule.num_train_timesteps,
					curve: curveOf(teacher.trace, student.trace),
					attention: undefined,
					paths: undefined,
					onselect: (k) => on.change({ t: k })
				},
				controls: 'generation'
			};
		}),
	notice: pairRunsLine
};

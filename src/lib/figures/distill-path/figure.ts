/** The teacher's many small steps and the student's few long jumps, in one 2D projection. */
import type { ComponentProps } from 'svelte';
import type View from './Figure.svelte';
import { alignByT } from '../../pipeline/compare';
import { pairNeeds, pairRunsLine, pathsOf, timesteps, withPair } from '../shared';
import type { Figure } from '../types';

type Props = ComponentProps<typeof View>;
declare module '../types' {
	interface FigureProps {
		'distill-path': Props;
	}
}

export const figure: Figure<Props> = {
	key: '.pair',
	needs: pairNeeds,
	chapterWide: true,
	show: (base, s) =>
		withPair(base, s, (teacher, student) => {
			const count = teacher.trace.steps.length;
			const i = Math.min(s.link.t ?? count - 1, count - 1);
			// The student's latest step at or before the teacher's t, as the comparison pairs them.
			const j = alignByT(teacher.trace, student.trace, i);
			const ts = timesteps(teacher.trace);
			const paths = pathsOf(teacher.trace, student.trace);
			return {
				title: 'What the student learned to skip',
				scrubber: { value: i, count, timesteps: ts },
				props: {
					teacher: paths.a,
					student: paths.b,
					teacherSteps: ts,
					studentSteps: timesteps(student.trace),
					current: i,
					studentCurrent: j,
					teacherImage: teacher.x0Images[i],
					studentImage: student.x0Images[j],
					imageSize: base.dims.R
				}
			};
		}),
	notice: pairRunsLine
};

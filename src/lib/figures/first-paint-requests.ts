/**
 * What the build precomputes for the first paint: every request every chapter's figures make
 * at the default link, step by step (each step's focus), read against what is computed so far;
 * with `page`, one chapter's only (none for the home page, which shows the default generation).
 */
import type { FirstPaint } from '../pipeline/first-paint-file';
import type { Generation, Request } from '../pipeline/results';
import { requestKey } from '../pipeline/results';
import { CHAPTERS } from '../story/chapters';
import { figureNeeds } from './registry';
import type { FigureState, ResultReader } from './types';

export function firstPaintRequests(fp: FirstPaint, page?: string): Request[] {
	const get = ((r: Request) => fp.results[requestKey(r)]) as ResultReader['get'];
	const results: ResultReader = {
		get,
		latest: ((_slot: string, r: Request, fallback?: Request) =>
			get(r as never) ?? (fallback && get(fallback as never))) as ResultReader['latest'],
		isLive: () => false
	};
	const main = fp.results[fp.defaultGeneration] as Generation | undefined;
	const none = () => undefined;
	const chapters = page === undefined ? CHAPTERS : CHAPTERS.filter((c) => c.slug === page);
	return chapters.flatMap((chapter) =>
		chapter.steps.flatMap(({ figure }) => {
			if (!figure.name) return [];
			const s: FigureState = {
				firstPaint: fp,
				firstPaintError: '',
				trace: main?.trace ?? null,
				x0Images: main?.x0Images ?? [],
				results,
				modelReady: false,
				link: {},
				focus: figure.focus ?? 'all',
				compare: figure.compare ?? (() => ({})),
				own: null,
				ownNote: '',
				on: { change: none, upload: none, draw: none }
			};
			return figureNeeds(figure.name, s);
		})
	);
}

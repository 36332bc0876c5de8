/**
 * The figures, one per folder of src/lib/figures (each folder's figure.ts), and what the
 * figure column asks of them: what to show, what to ask of the live model, which part a phone
 * keeps on screen. Pure (no DOM, no runes); ChapterFigure.svelte renders what `showFigure`
 * returns with the folder's Figure.svelte (components.ts).
 */
import type { ViewState } from '../url-state';
import type { Request } from '../pipeline/results';
import { exampleFor } from './requests';
import { dimsOf, keyOf, stepIndex } from './shared';
import type {
	Base,
	Figure,
	FigureContent,
	FigureName,
	FigureProps,
	FigureState,
	StepFocus
} from './types';

/** A folder's name from its figure.ts path. */
export const folderOf = (path: string) => path.split('/').at(-2)!;

const modules = import.meta.glob<{ figure: Figure<unknown> }>('./*/figure.ts', { eager: true });

/** Every figure by its folder's name. */
export const FIGURES = Object.fromEntries(
	Object.entries(modules).map(([path, m]) => [folderOf(path), m.figure])
) as { [N in FigureName]: Figure<FigureProps[N]> };

const baseOf = (s: FigureState): Base | undefined => {
	const fp = s.firstPaint;
	const trace = s.trace;
	return fp && trace ? { fp, trace, manifest: fp.manifest, dims: dimsOf(fp.manifest) } : undefined;
};

/** What the figure column shows for a figure: waits for the precomputed file, then the figure. */
export function showFigure<N extends FigureName>(
	name: N,
	s: FigureState
): FigureContent<FigureProps[N]> {
	const base = baseOf(s);
	if (!base) return { wait: s.firstPaintError || 'Loading the figure…' };
	const figure = FIGURES[name] as Figure<FigureProps[N]>;
	const content = figure.show(base, s);
	if ('wait' in content || !content.props || content.notice || !figure.notice) return content;
	const { trace } = base;
	const { t: level, sample } = exampleFor(s.link);
	const at = { step: trace.steps.length ? stepIndex(trace, s.link, s.focus) : 0, level, sample };
	return { ...content, notice: figure.notice(base, s, at) };
}

/** The line above a figure that stays the same when the reader switches to the student. */
export function sharedNote(name: FigureName, link: ViewState): string {
	return link.model === 'student' ? (FIGURES[name].sameForStudent ?? '') : '';
}

/** The selector of a figure's key part for a step (see Figure.key). */
export function figureKey(name: FigureName, focus: StepFocus = 'all'): string {
	return keyOf(FIGURES[name], focus);
}

/** What a figure asks of the model for the state on show (beyond the main generation). */
export function figureNeeds(name: FigureName, s: FigureState): Request[] {
	const base = baseOf(s);
	const needs = FIGURES[name].needs;
	return base && needs ? needs(base, s) : [];
}

/** What a chapter asks for from its first step on: the needs of its chapter-wide figures. */
export function chapterRequests(
	names: readonly (FigureName | undefined)[],
	s: FigureState
): Request[] {
	return names.flatMap((n) => (n && FIGURES[n].chapterWide ? figureNeeds(n, s) : []));
}

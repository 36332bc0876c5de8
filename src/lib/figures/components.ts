/**
 * Each figure's component, by its folder's name: the folder's Figure.svelte. Apart from the
 * registry, which stays pure (the server and the unit tests read it without rendering).
 */
import type { Component } from 'svelte';
import { folderOf } from './registry';
import type { FigureName, FigureProps } from './types';

const modules = import.meta.glob<{ default: Component<never> }>('./*/Figure.svelte', {
	eager: true
});

export const COMPONENTS = Object.fromEntries(
	Object.entries(modules).map(([path, m]) => [folderOf(path), m.default])
) as { [N in FigureName]: Component<FigureProps[N]> };

/**
 * Single-key shortcuts (n/p for chapters, j/k for steps). They can be turned off, as
 * WCAG 2.1.4 asks for single-character shortcuts; the choice is remembered.
 */
const KEY = 'shortcuts-enabled';

function initial(): boolean {
	try {
		return globalThis.localStorage?.getItem(KEY) !== 'off';
	} catch {
		return true;
	}
}

export const shortcuts = $state({ enabled: initial() });

export function setShortcuts(enabled: boolean) {
	shortcuts.enabled = enabled;
	try {
		localStorage.setItem(KEY, enabled ? 'on' : 'off');
	} catch {
		// Storage can be unavailable (private mode); the setting then lasts for this visit.
	}
}

/** Whether a key press should be left alone: typing in a field, or with a modifier. */
export function ignoreKey(e: KeyboardEvent): boolean {
	if (!shortcuts.enabled || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return true;
	const t = e.target as HTMLElement | null;
	return !!t?.closest?.('input, textarea, select, [contenteditable="true"]');
}

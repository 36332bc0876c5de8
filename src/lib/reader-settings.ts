/**
 * The reader's generation settings (prompt, negative prompt, seed, guidance, steps, sampler,
 * timesteps, model) follow them from page to page, in one direction, through the links:
 *
 *   link → readLink → the page's state → its link (rewritten) and live.want
 *                                      ↘ remember → the next page's readLink
 *
 * A page reads its link over what the page before it remembered (the link's own values
 * win, key by key), writes the result into its link, and remembers the settings its link
 * says after every change. Nothing is read back from the live model.
 */
import {
	GENERATION_KEYS,
	parseViewState,
	type CompareWith,
	type ParseLimits,
	type ParseResult,
	type ViewState
} from './url-state';

/** What carries on to the next page: the generation settings (not the comparison's). */
const CARRIED = GENERATION_KEYS;
export type CarriedSettings = CompareWith;

let remembered: CarriedSettings = {};

/** The settings a state carries on to the next page: only those it sets. */
export function carried(state: ViewState): CarriedSettings {
	const out: Record<string, unknown> = {};
	for (const key of CARRIED) if (state[key] !== undefined) out[key] = state[key];
	return out as CarriedSettings;
}

/** What the page on show says, for the next page's link. */
export function remember(state: ViewState) {
	remembered = carried(state);
}

/**
 * A page's state: its link, read and cleaned, over the settings the page before carried
 * (already cleaned when that page read them, so they bring no notices).
 */
export function readLink(params: URLSearchParams, limits: ParseLimits): ParseResult {
	const parsed = parseViewState(params, limits);
	return { state: { ...remembered, ...parsed.state }, notices: parsed.notices };
}

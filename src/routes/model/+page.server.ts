import { cardHtml } from '$lib/model-card';
import card from '../../../static/models/MODEL_CARD.md?raw';
import { base } from '$app/paths';

// Prerendered at build time (see +layout.ts): the card is rendered once, from the shipped file.
export function load() {
	return cardHtml(card, `${base}/models`);
}

/**
 * The model's own numbers, read from its files at build time, for the prose to quote: the
 * manifest, the model card's measurements (metrics.json) and `npm run bench`'s timings
 * (bench.json). Prose never types a number one of these files holds.
 */
import { bench, manifest, metrics } from '../shipped';

export { bench, manifest, metrics };

const en = (n: number) => n.toLocaleString('en-US');

/** Base emoji in the data: one caption each, the set the evaluation ranks captions among. */
export const emojiCount = en(metrics.grid?.[0]?.captions ?? 0);
/** The teacher U-Net's parameters, in millions, to one decimal. */
export const unetMillions = ((manifest.models?.teacher?.params ?? 0) / 1e6).toFixed(1);
export const vocabSize = en(manifest.text.vocab_size);
export const defaultGuidance = manifest.sampler.guidance;
/** The pictures' size in pixels, as "32 × 32". */
export const pictureSize = `${manifest.image.size} × ${manifest.image.size}`;

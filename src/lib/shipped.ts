/**
 * The shipped model's files as the build reads them (JSON imports, checked by the unit tests
 * against their schema): the manifest, the model card's measurements, `npm run bench`'s
 * timings and the sample set. At run time the live model reads the manifest once more, over
 * the network, with the model files it lists (pipeline/files.ts).
 */
import manifestJson from '../../static/models/manifest.json' with { type: 'json' };
import metricsJson from '../../static/models/metrics.json' with { type: 'json' };
import benchJson from '../../static/models/bench.json' with { type: 'json' };
import samplesJson from '../../static/samples/samples.json' with { type: 'json' };
import type { GridRow, Manifest, SamplerRow } from './pipeline/manifest';
import type { Bench } from './story/distillation-claims';

export const manifest = manifestJson as unknown as Manifest;
export const metrics = metricsJson as unknown as { grid?: GridRow[]; samplers?: SamplerRow[] };
export const bench = benchJson as unknown as Bench;
/** How many sample pictures the figures offer. */
export const sampleCount = samplesJson.images.length;

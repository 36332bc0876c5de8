/**
 * The manifest's JSON Schema (src/lib/pipeline/manifest.schema.json): the shipped manifest
 * has its shape, the schema admits nothing else, and its TypeScript copy (which the Manifest
 * type is derived from) is the same schema, with the same enums.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
	MODEL_NAMES,
	SCHEDULER_NAMES,
	manifestSchema
} from '../../src/lib/pipeline/manifest-schema-literal';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const schema = read('src/lib/pipeline/manifest.schema.json');
const shipped = read('static/models/manifest.json');
// strict: a keyword ajv does not know, or a loose tuple, is an error in the schema itself.
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
const errors = (m: unknown) => (validate(m) ? [] : (validate.errors ?? []));

describe('manifest.schema.json', () => {
	it('describes the shipped static/models/manifest.json', () => {
		expect(errors(shipped)).toEqual([]);
	});

	it('admits no field it does not name, and needs the ones it requires', () => {
		expect(errors({ ...shipped, extra: 1 })[0]?.keyword).toBe('additionalProperties');
		const student = { ...shipped.models.student, extra: 1 };
		expect(errors({ ...shipped, models: { ...shipped.models, student } })).not.toEqual([]);
		const noSampler = { ...shipped };
		delete noSampler.sampler;
		expect(errors(noSampler)[0]?.keyword).toBe('required');
		const files = { ...shipped.files, unet: { ...shipped.files.unet, sha256: 'abc' } };
		expect(errors({ ...shipped, files })[0]?.keyword).toBe('pattern');
	});

	it('is the schema its TypeScript copy holds (regenerate: node scripts/manifest-schema.mjs)', () => {
		expect(manifestSchema).toEqual(schema);
		expect(SCHEDULER_NAMES).toEqual(schema.definitions.SchedulerName.enum);
		expect(MODEL_NAMES).toEqual(schema.definitions.ModelName.enum);
	});
});

/**
 * Writes src/lib/pipeline/manifest-schema-literal.ts from manifest.schema.json: the same schema
 * as a TypeScript literal (`as const`), which json-schema-to-ts needs to derive the Manifest
 * type from it (TypeScript widens JSON imports: `"type": "object"` becomes `type: string`), and
 * each enum of its definitions as a list of its own (the site's sampler menu reads one without
 * bundling the whole schema). Run it after
 * editing the schema: `node scripts/manifest-schema.mjs`; tests/unit/manifest-schema.test.ts
 * fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

const json = 'src/lib/pipeline/manifest.schema.json';
const out = 'src/lib/pipeline/manifest-schema-literal.ts';
const schema = JSON.parse(readFileSync(json, 'utf8'));
const enums = Object.entries(schema.definitions)
	.filter(([, d]) => Array.isArray(d.enum))
	// SchedulerName: SCHEDULER_NAMES
	.map(([name, d]) => [name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase() + 'S', d.enum])
	.map(([name, values]) => `export const ${name} = ${JSON.stringify(values)} as const;\n`)
	.join('');
const source = `// Generated from manifest.schema.json by \`node scripts/manifest-schema.mjs\`: do not edit.
// The schema as a literal, for json-schema-to-ts (manifest.ts derives the Manifest type from
// it), and its definitions' enums; the JSON file is the one the export and the tests read.

export const manifestSchema = ${JSON.stringify(schema)} as const;

${enums}`;
const options = { ...(await prettier.resolveConfig(out)), filepath: out };
writeFileSync(out, await prettier.format(source, options));
console.log(`wrote ${out}`);

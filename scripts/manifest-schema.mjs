/**
 * Writes src/lib/pipeline/manifest.schema.ts from manifest.schema.json: the same schema as a
 * TypeScript literal (`as const`), which json-schema-to-ts needs to derive a type from it
 * (TypeScript widens JSON imports: `"type": "object"` becomes `type: string`). Run it after
 * editing the schema: `node scripts/manifest-schema.mjs`; tests/unit/manifest-schema.test.ts
 * fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';

const json = 'src/lib/pipeline/manifest.schema.json';
const out = 'src/lib/pipeline/manifest.schema.ts';
const schema = JSON.parse(readFileSync(json, 'utf8'));
const source = `// Generated from manifest.schema.json by \`node scripts/manifest-schema.mjs\`: do not edit.
// The schema as a literal, for json-schema-to-ts (manifest-schema.ts); the JSON file is the
// one the export and the tests read.

export const manifestSchema = ${JSON.stringify(schema)} as const;
`;
const options = { ...(await prettier.resolveConfig(out)), filepath: out };
writeFileSync(out, await prettier.format(source, options));
console.log(`wrote ${out}`);

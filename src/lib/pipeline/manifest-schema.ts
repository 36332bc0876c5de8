/**
 * The Manifest type (manifest.ts) and the manifest's JSON Schema (manifest.schema.json) describe
 * the same thing: checked when `npm run check` compiles this file. A field in one and not the
 * other, a different type or a different optionality is a type error here.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { Manifest } from './manifest';
import type { manifestSchema } from './manifest.schema';

/** What the schema says manifest.json holds. */
export type SchemaManifest = FromSchema<typeof manifestSchema>;

/** T rebuilt member by member, so that an interface and the schema's computed type compare. */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T;

/** Exactly the same type (an optional field in one and absent in the other included). */
type Same<A, B> =
	(<G>() => G extends Plain<A> ? 1 : 2) extends <G>() => G extends Plain<B> ? 1 : 2 ? true : false;

// Each way: where a field differs, these two lines say which.
export const typeFitsSchema = (m: Manifest): SchemaManifest => m;
export const schemaFitsType = (m: SchemaManifest): Manifest => m;
// And no optional field in one that the other lacks.
export const sameShape: Same<Manifest, SchemaManifest> = true;

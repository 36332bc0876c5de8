// Copies onnxruntime-web's runtime files into static/ort/ so the site serves them from its
// own origin (never a CDN). Runs before dev and build; static/ort/ is not committed.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('onnxruntime-web')); // .../onnxruntime-web/dist
const out = join(dirname(new URL(import.meta.url).pathname), '..', 'static', 'ort');
mkdirSync(out, { recursive: true });
// The plain build (wasm provider only) and onnxruntime-web/webgpu's asyncify build (both
// providers); pipeline/runtime.ts loads one of them.
for (const f of readdirSync(dist).filter((f) =>
	/^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(f)
))
	copyFileSync(join(dist, f), join(out, f));

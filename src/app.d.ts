// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	/** The size in bytes of each onnxruntime-web build's .wasm (vite.config.ts reads them). */
	const __RUNTIME_BYTES__: { wasm: number; webgpu: number };
	interface ImportMetaEnv {
		/** '1' in the end-to-end tests' builds: the page exposes its generation (live.svelte.ts). */
		readonly VITE_TEST_HOOKS?: string;
	}
	namespace App {
		// interface Error {}
		// interface Locals {}
		// interface PageData {}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};

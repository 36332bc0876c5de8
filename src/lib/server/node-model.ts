/**
 * Builds the pipeline in Node from a model folder: onnxruntime-web's WASM backend for the
 * U-Net and VAE, transformers.js for CLIP, the same modules the browser uses. For tests,
 * and for the build, which precomputes the first-paint file with it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	AutoTokenizer,
	CLIPTextModelWithProjection,
	CLIPVisionModelWithProjection,
	env,
	Tensor
} from '@huggingface/transformers';
import { fetchManifest, loadModelFiles } from '../pipeline/files';
import { DiffusionPipeline } from '../pipeline/generate';
import { modelEntry } from '../pipeline/manifest';
import { createSession, ort } from '../pipeline/runtime';
import { clipImageEncoder, clipTextEncoder } from '../pipeline/text-encoder';
import { tokenizePrompt } from '../pipeline/tokenizer';

/** fetch() for file:// URLs, which Node's fetch does not read. */
export const fileFetch = (async (url: string | URL) => {
	const path = new URL(url.toString()).pathname;
	try {
		return new Response(await readFile(path));
	} catch {
		return new Response('not found', { status: 404 });
	}
}) as typeof fetch;

export async function nodePipeline(dir: string) {
	ort.env.wasm.numThreads = 1;
	const base = pathToFileURL(dir + '/').href;
	const manifest = await fetchManifest(base, { fetch: fileFetch });
	const studentKey = modelEntry(manifest, 'student')?.unet;
	const keys = ['unet', 'vae_decoder', 'vae_encoder', ...(studentKey ? [studentKey] : [])];
	const files = await loadModelFiles(base, manifest, keys, { fetch: fileFetch, cache: null });
	env.allowRemoteModels = false;
	env.localModelPath = dir + '/';
	const tokenizer = await AutoTokenizer.from_pretrained('clip');
	const textModel = await CLIPTextModelWithProjection.from_pretrained('clip', { dtype: 'fp32' });
	const visionModel = await CLIPVisionModelWithProjection.from_pretrained('clip', {
		dtype: 'fp32'
	});
	const L = manifest.text.context_length;
	const student = studentKey ? await createSession(files.get(studentKey)!, 'wasm') : undefined;
	const pipeline = new DiffusionPipeline({
		manifest,
		backend: 'wasm',
		tokenize: (t) => tokenizePrompt(tokenizer, t, L),
		text: clipTextEncoder(textModel as never, Tensor as never),
		unet: await createSession(files.get('unet')!, 'wasm'),
		student: student && (async () => student),
		vaeDecoder: await createSession(files.get('vae_decoder')!, 'wasm')
	});
	return {
		pipeline,
		manifest,
		vaeEncoder: await createSession(files.get('vae_encoder')!, 'wasm'),
		imageEncoder: clipImageEncoder(visionModel as never, Tensor as never),
		dir: join(dir)
	};
}

/**
 * CLIP's two encoders over their onnxruntime sessions (build.ts makes them from the model's
 * own files): the text encoder (per-token hidden states and the pooled embedding) and the
 * image encoder.
 */
import type { ort } from './runtime';
import type { TokenizedPrompt } from './tokenizer';

export interface TextEncoding {
	/** [batch, context, hidden] per-token states, what the U-Net reads. */
	hidden: Float32Array;
	/** [batch, embed] projected [CLS] embedding, what CLIP compares with images. */
	embeds: Float32Array;
}

export interface TextEncoder {
	encode(prompts: TokenizedPrompt[]): Promise<TextEncoding>;
}

export interface ImageEncoder {
	/** pixels: [batch, 3, H, W] in [-1, 1] -> [batch, embed]. */
	encode(pixels: Float32Array, batch: number, size: number): Promise<Float32Array>;
}

type TensorCtor = typeof ort.Tensor;

/** Runs a session on the feeds it takes (the attention mask only if the graph has one). */
async function run(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>) {
	const used = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!]));
	const out = await session.run(used);
	return (name: string) => out[name]!.data as Float32Array;
}

export function clipTextEncoder(session: ort.InferenceSession, Tensor: TensorCtor): TextEncoder {
	return {
		async encode(prompts) {
			const L = prompts[0]!.ids.length;
			const ids = BigInt64Array.from(prompts.flatMap((p) => p.ids.map(BigInt)));
			const mask = BigInt64Array.from(prompts.flatMap((p) => p.mask.map(BigInt)));
			const out = await run(session, {
				input_ids: new Tensor('int64', ids, [prompts.length, L]),
				attention_mask: new Tensor('int64', mask, [prompts.length, L])
			});
			return { hidden: out('last_hidden_state'), embeds: out('text_embeds') };
		}
	};
}

export function clipImageEncoder(session: ort.InferenceSession, Tensor: TensorCtor): ImageEncoder {
	return {
		async encode(pixels, batch, size) {
			const out = await run(session, {
				pixel_values: new Tensor('float32', pixels, [batch, 3, size, size])
			});
			return out('image_embeds');
		}
	};
}

/**
 * CLIP's two encoders over transformers.js models (build.ts loads them, and the tokenizer, from
 * the model's own folder, never a hub): the text encoder (per-token hidden states and the pooled
 * embedding) and the image encoder.
 */
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

interface OutputTensor {
	data: Float32Array;
}
type CallableModel = (inputs: Record<string, unknown>) => Promise<Record<string, OutputTensor>>;
type TensorCtor = new (type: string, data: unknown, dims: number[]) => unknown;

export function clipTextEncoder(model: CallableModel, Tensor: TensorCtor): TextEncoder {
	return {
		async encode(prompts) {
			const L = prompts[0]!.ids.length;
			const ids = BigInt64Array.from(prompts.flatMap((p) => p.ids.map(BigInt)));
			const mask = BigInt64Array.from(prompts.flatMap((p) => p.mask.map(BigInt)));
			const out = await model({
				input_ids: new Tensor('int64', ids, [prompts.length, L]),
				attention_mask: new Tensor('int64', mask, [prompts.length, L])
			});
			return { hidden: out.last_hidden_state!.data, embeds: out.text_embeds!.data };
		}
	};
}

export function clipImageEncoder(model: CallableModel, Tensor: TensorCtor): ImageEncoder {
	return {
		async encode(pixels, batch, size) {
			const out = await model({
				pixel_values: new Tensor('float32', pixels, [batch, 3, size, size])
			});
			return out.image_embeds!.data;
		}
	};
}

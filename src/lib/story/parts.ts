/** The parts of a latent diffusion model, as the diagram and the chapters name them. */

export type PartId =
	'text-encoder' | 'image-encoder' | 'vae-encoder' | 'unet' | 'scheduler' | 'vae-decoder';

export interface Part {
	id: PartId;
	name: string;
	/** One line on what it does, for the diagram's text alternative. */
	role: string;
	/** Whether it runs when an image is generated from a prompt. */
	usedInGeneration: boolean;
	/** Whether it has learned weights (the scheduler is plain arithmetic). */
	learned: boolean;
	/** The chapter that explains it. */
	chapter: string;
}

export const PARTS: readonly Part[] = [
	{
		id: 'text-encoder',
		name: 'Text encoder',
		role: 'turns the prompt into one vector per token',
		usedInGeneration: true,
		learned: true,
		chapter: 'clip'
	},
	{
		id: 'image-encoder',
		name: 'Image encoder',
		role: 'turns an image into a vector; used only to train CLIP',
		usedInGeneration: false,
		learned: true,
		chapter: 'clip'
	},
	{
		id: 'vae-encoder',
		name: 'VAE encoder',
		role: 'compresses an image into a small latent; used in training and to edit pictures',
		usedInGeneration: false,
		learned: true,
		chapter: 'vae'
	},
	{
		id: 'unet',
		name: 'U-Net',
		role: 'predicts the noise in a latent, guided by the text',
		usedInGeneration: true,
		learned: true,
		chapter: 'unet'
	},
	{
		id: 'scheduler',
		name: 'Scheduler',
		role: 'decides how much predicted noise to remove at each step; not learned',
		usedInGeneration: true,
		learned: false,
		chapter: 'denoising-loop'
	},
	{
		id: 'vae-decoder',
		name: 'VAE decoder',
		role: 'turns the final latent back into pixels',
		usedInGeneration: true,
		learned: true,
		chapter: 'decoding'
	}
];

export function part(id: PartId): Part {
	const found = PARTS.find((p) => p.id === id);
	if (!found) throw new Error(`unknown part ${id}`);
	return found;
}

"""A tiny Stable Diffusion (CLIP, VAE, U-Net) trained from scratch on emoji."""

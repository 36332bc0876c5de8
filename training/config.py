"""Paths and hyper-parameters shared by every training stage."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = Path(os.environ.get("EMOJI_NODE_MODULES", ROOT / "node_modules"))
CACHE = Path(os.environ.get("TRAIN_CACHE", ROOT / "training" / ".cache"))
MODELS_OUT = Path(os.environ.get("MODELS_OUT", ROOT / "static" / "models"))

VENDORS = ("google", "twitter")
IMAGE_SIZE = 32  # pixels; the 64 px PNGs are downsampled once when the data is built
LATENT_CHANNELS = 4  # as in Stable Diffusion
LATENT_SIZE = 8  # the VAE downsamples by 4
VAE_DECODER_REFINE = 2  # extra full-resolution blocks in the decoder (see vae.Decoder)
CONTEXT_LENGTH = 24  # tokens, [CLS] and [SEP] included
EMBED_DIM = 128  # CLIP's shared text/image embedding space, and the text hidden size
HOLDOUT_FRACTION = 0.10
SPLIT_SEED = 20261127

# Noise schedule: Stable Diffusion v1's "scaled linear" betas over T = 1000 steps.
T = 1000
BETA_START = 0.00085
BETA_END = 0.012
PREDICTION_TYPE = "epsilon"

DEFAULT_STEPS = 25
DEFAULT_GUIDANCE = 4.0
DEFAULT_SEED = 42
DEFAULT_PROMPT = "smiling cat"

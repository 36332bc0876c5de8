"""Paths and hyper-parameters shared by every training stage."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = Path(os.environ.get("EMOJI_NODE_MODULES", ROOT / "node_modules"))
CACHE = Path(os.environ.get("TRAIN_CACHE", ROOT / "training" / ".cache"))
MODELS_OUT = Path(os.environ.get("MODELS_OUT", ROOT / "static" / "models"))
# The manifest's shape, which the export checks what it writes against (export/manifest.py).
MANIFEST_SCHEMA = ROOT / "src" / "lib" / "pipeline" / "manifest.schema.json"

VENDORS = ("google", "twitter")
IMAGE_SIZE = 32  # pixels; the 64 px PNGs are downsampled once when the data is built
LATENT_CHANNELS = 4  # as in Stable Diffusion
LATENT_SIZE = 8  # the VAE downsamples by 4
VAE_DECODER_REFINE = 2  # extra full-resolution blocks in the decoder (see vae.Decoder)
CONTEXT_LENGTH = 24  # tokens, [CLS] and [SEP] included
EMBED_DIM = 128  # CLIP's shared text/image embedding space, and the text hidden size
GALLERY_SEED = 42  # every model card gallery picture starts from this seed's noise
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

# --- Training: every hyperparameter and time budget ---------------------------------------
# The values of the real run (`python3 -m training all`); CI's smoke run (`--smoke`) swaps in
# the few listed in SMOKE_SETTINGS below. The stages read them here, at run time (always as
# `config.NAME`, so that the smoke switch reaches them). The architectures' sizes stay with
# the models (clip.py, vae.py, unet.py).

SEED = 0  # torch's seed (process k of a torchrun job: SEED + k)
THREADS = 2  # torch's CPU threads (`--threads`)
LIMIT = None  # base emoji to train on (None: all)
LOG_EVERY = 50  # steps between log lines
CHECKPOINT_EVERY_S = 300

# Wall-clock budget of each training stage in minutes (`--minutes` overrides one stage's).
BUDGET_MINUTES = {"vae": 40, "vae_decoder": 30, "clip": 25, "unet": 600, "trajectories": 30, "student": 120,
                  "decoder64": 60}
# Learning rate: linear warm-up over the first 2% of the budget, then a cosine down to 2% of
# the peak at the end of the budget.
LR_WARMUP = 0.02
LR_FLOOR = 0.02

CAPTION_VARIANTS = 16  # tokenized captions kept per image (the label, then varied ones)
CAPTION_DROP = 0.1  # captions left empty: the unconditional prediction classifier-free guidance needs
GRAD_CLIP = 1.0  # max gradient norm (U-Net, student, 64 px decoder)
EMA_DECAY = 0.999  # the exported weights' moving average (warming up as (1 + n) / (10 + n))

VAE_LR, VAE_BATCH = 1e-3, 64
VAE_DECODER_LR, VAE_DECODER_BATCH = 3e-4, 64  # the decoder's fine-tune (encoder frozen)
VAE_DECODER_SHIFT = 1  # pixels of random translation (and mirrored copies half the time)
CLIP_LR, CLIP_BATCH, CLIP_WEIGHT_DECAY = 5e-4, 256, 0.05
CLIP_SHIFT = 2  # pixels of random translation, filled with white
UNET_LR, UNET_BATCH = 3e-4, 128
MIN_SNR = 5.0  # min-SNR-gamma loss weighting (Hang et al. 2023) of the epsilon prediction

# The distilled student (student.py, distill.py).
STUDENT_STEP_COUNTS = (1, 2, 4, 8)  # what the student is asked for (how often each: STEP_WEIGHTS)
STUDENT_DEFAULT_STEPS = 2  # what the site runs it with unless asked otherwise (the teacher: DEFAULT_STEPS)
GUIDANCE_EMBED = 100.0  # the new scalar inputs go through the timestep's sinusoids: spread them out
STEPS_EMBED = 250.0  # log2(steps) * this: 0, 250, 500, 750
TRAJECTORY_BATCH = 128  # teacher paths per shard (`--batch`)
TEACHER_STEPS = 16  # the teacher's DDIM grid the paths follow (nested: it holds 8, 4, 2 and 1)
GUIDANCE_RANGE = (0.0, 10.0)  # guidance scales drawn for the paths; the site clamps to this range
STUDENT_LR, STUDENT_BATCH = 1e-4, 64  # `--lr`, `--batch`
STEP_WEIGHTS = (3.0, 4.0, 2.0, 1.0)  # how often 1, 2, 4, 8 steps are trained (`--step-weights`)
ATTENTION_WEIGHT = 0.1  # pull of the student's attention maps towards the teacher's
ATTENTION_EVERY = 4  # steps between those pulls (each needs a teacher run)

# Held-out generation quality (quality.py): every interval is a cluster bootstrap over names.
QUALITY_SEEDS = (0, 1)  # seeds per held-out name
BOOTSTRAP, BOOTSTRAP_SEED = 1000, 0  # resamples, and the generator's seed (the same images give the same intervals)
TEACHER_GRID_STEPS = (1, 2, 4, 8, 25)  # the model x steps grid's rows (25: the reference)
STUDENT_GRID_STEPS = (1, 2, 4, 8)
SAMPLER_STEPS = (1, 2, 4, 8, 25)  # the sampler x steps grid's step counts
# Every student recipe tried (`python3 -m training.quality NAME --save`), which the card lists.
STUDENT_EXPERIMENTS = ROOT / "training" / "experiments.json"

# The 64 px decoder (experiments/decoder64.py): tried, not shipped.
DECODER64_SIZE = 64  # output pixels; the emoji sources' own size
DECODER64_BOOTSTRAP = 200  # resamples of its reconstruction intervals
# The gain a 64 px decoder must show, at the low end of its interval, to replace the 32 px one:
# over what a reader gets without it, the 32 px decode enlarged with Lanczos, in PSNR against
# the real 64 px image. A decision rule of the project, so the card does not print it.
DECODER64_SHIP_GAIN_DB = 2.0
DECODER64_LR, DECODER64_BATCH = 3e-4, 32
DECODER64_SHIFT = 2
FOURIER_WEIGHT = 1.0  # weight of the Fourier-spectrum loss (`--fourier`)
HEAD = (16, 1)  # the 64 px head's channels and residual blocks (`--head 16x1`)

# CI's smoke run: a dozen emoji, small batches, seconds per stage, a log line per step.
SMOKE = False
SMOKE_SETTINGS = {
    "LIMIT": 12,
    "LOG_EVERY": 1,
    "BUDGET_MINUTES": {"vae": 0.1, "vae_decoder": 0.05, "clip": 0.1, "unet": 0.1, "trajectories": 0.05,
                       "student": 0.1, "decoder64": 0.05},
    "CAPTION_VARIANTS": 2,
    "VAE_BATCH": 16,
    "VAE_DECODER_BATCH": 16,
    "CLIP_BATCH": 16,
    "UNET_BATCH": 16,
    "TRAJECTORY_BATCH": 4,
    "STUDENT_BATCH": 8,
    "DECODER64_BATCH": 8,
}


def smoke():
    """Switches every stage to the smoke run (set once, by __main__, before any stage runs).
    Its checkpoints, tokenizer and paths get names of their own (`unet-smoke.pt`, ...)."""
    global SMOKE
    SMOKE = True
    globals().update(SMOKE_SETTINGS)

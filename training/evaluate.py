"""Measures the shipped (int8-weight) model and writes the model card, the sample gallery and
the metrics next to the exported files. The card states what was measured, each number from
the files or the measurements it describes (metrics.json, the manifest, bench.json, config.py),
so that it cannot drift from the model."""
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from . import config, export, schedule, train

GALLERY_PROMPTS = [
    "smiling cat",
    "red heart",
    "grinning face",
    "flag: japan",
    "red apple",
    "pizza",
    "rocket",
    "sun",
    "snowman",
    "dog face",
    "banana",
    "automobile",
    "crying face",
    "blue heart",
    "flag: france",
    "house",
    "fire",
    "star",
    "ghost",
    "thumbs up",
    "watermelon",
    "soccer ball",
    "penguin",
    "tree",
]
GENERATION_CAPTIONS = 100


def psnr(a, b):
    """PSNR in dB of images in [-1, 1], measured on the [0, 1] scale, per image."""
    mse = ((a.clamp(-1, 1) - b) / 2).pow(2).mean(dim=(1, 2, 3))
    return 10 * torch.log10(1.0 / mse)


@torch.no_grad()
def vae_metrics(d, vae):
    idx = np.nonzero(d["heldout"])[0]
    x = train.to_unit(d["images"][idx])
    rec = torch.cat([vae.decoder(vae.encoder(c)[0]) for c in x.split(256)])
    p = psnr(rec, x)
    return {"psnr_db": round(p.mean().item(), 2), "psnr_median_db": round(p.median().item(), 2),
            "images": len(idx)}


@torch.no_grad()
def text_embeddings(clip, wp, texts):
    out = []
    for i in range(0, len(texts), 256):
        enc = [wp.encode(t, config.CONTEXT_LENGTH) for t in texts[i : i + 256]]
        ids = torch.tensor([e[0] for e in enc])
        mask = torch.tensor([e[1] for e in enc])
        out.append(clip.text(ids, mask)[1])
    return F.normalize(torch.cat(out), dim=-1)


@torch.no_grad()
def image_embeddings(clip, x):
    return F.normalize(torch.cat([clip.image(c) for c in x.split(256)]), dim=-1)


def recall(sim, target, ks=(1, 5, 10)):
    rank = (sim > sim.gather(1, target[:, None])).sum(1)  # how many captions beat the right one
    return {f"r@{k}": round((rank < k).float().mean().item() * 100, 1) for k in ks}


@torch.no_grad()
def clip_metrics(d, wp, clip):
    idx = np.nonzero(d["heldout"] & d["is_base"])[0]
    img = image_embeddings(clip, train.to_unit(d["images"][idx]))
    txt = text_embeddings(clip, wp, d["base_labels"])
    target = torch.from_numpy(d["base_id"][idx]).long()
    return {**recall(img @ txt.T, target), "images": len(idx), "captions": len(d["base_labels"])}


@torch.no_grad()
def generate(clip, vae, unet, wp, scale, prompts, seeds, steps=None, guidance=None):
    steps = steps or config.DEFAULT_STEPS
    guidance = config.DEFAULT_GUIDANCE if guidance is None else guidance
    enc = [wp.encode(p, config.CONTEXT_LENGTH) for p in prompts]
    cond = clip.text(torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))[0]
    u = wp.encode("", config.CONTEXT_LENGTH)
    uncond = clip.text(torch.tensor([u[0]]), torch.tensor([u[1]]))[0].expand_as(cond)
    shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
    noise = torch.cat([schedule.seeded_noise(s, shape) for s in seeds])
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    z = schedule.sample_ddim(unet, cond, uncond, noise, abar, steps, guidance)
    return vae.decoder(z / scale).clamp(-1, 1)


def generation_captions(d):
    """Fixed captions: base emoji whose images are (at least partly) trained on."""
    trained = sorted({int(b) for b, h in zip(d["base_id"], d["heldout"]) if not h})
    rng = np.random.default_rng(123)
    pick = rng.choice(len(trained), min(GENERATION_CAPTIONS, len(trained)), replace=False)
    return [d["base_labels"][trained[i]] for i in sorted(pick)]


@torch.no_grad()
def generation_metrics(d, wp, clip, vae, unet, scale, steps=None, guidance=None):
    captions = generation_captions(d)
    images = generate(clip, vae, unet, wp, scale, captions, list(range(len(captions))), steps, guidance)
    sim = image_embeddings(clip, images) @ text_embeddings(clip, wp, captions).T
    r = recall(sim, torch.arange(len(captions)), ks=(1, 5))
    return {"top5_of_100": r["r@5"], "top1_of_100": r["r@1"], "captions": len(captions)}


def gallery(clip, vae, unet, wp, scale, path, steps=None, guidance=None):
    sheet(generate(clip, vae, unet, wp, scale, GALLERY_PROMPTS, [42] * len(GALLERY_PROMPTS), steps, guidance),
          GALLERY_PROMPTS, path)


def sheet(images, labels, path, cols=6, zoom=3):
    """A labelled contact sheet of images in [-1, 1]."""
    arr = ((images.permute(0, 2, 3, 1).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    cell, label = config.IMAGE_SIZE * zoom, 14
    rows = (len(arr) + cols - 1) // cols
    out = Image.new("RGB", (cols * (cell + 8) + 8, rows * (cell + label + 10) + 8), "white")
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default()
    for i, (a, text) in enumerate(zip(arr, labels)):
        x = 8 + (i % cols) * (cell + 8)
        y = 8 + (i // cols) * (cell + label + 10)
        out.paste(Image.fromarray(a).resize((cell, cell), Image.NEAREST), (x, y))
        draw.text((x, y + cell + 2), text[:16], fill=(40, 40, 40), font=font)
    out.save(path, optimize=True)


CARD = """# Model card: emoji-diffusion

A tiny latent diffusion model with the same parts as Stable Diffusion v1 (CLIP text encoder,
VAE, U-Net, scheduler), trained from scratch on emoji for the explainer in this repository.
Everything here is produced by `python3 -m training all` (see training/README.md); the
numbers below were measured by `training/evaluate.py` on the shipped files' weights.

![Samples: {n_gallery} prompts, seed 42, DDIM {steps} steps, guidance {guidance}](gallery.png)

## Data and licenses

- Images: Noto Emoji (Google, Apache-2.0) and Twemoji (Twitter, Inc. and other contributors,
  CC BY 4.0), as packaged by the npm packages `emoji-datasource-google` and
  `emoji-datasource-twitter` (v16, MIT): 64 px PNGs composited over white and downsampled to
  {size} x {size}. {n_images} images (1,911 base emoji and their skin-tone variants, two
  vendors).
- Captions: CLDR labels and keywords from `emojibase-data` (MIT; CLDR data under the Unicode
  License), varied per sample (label, label + keywords, keywords only).
- Held-out split: for {heldout_emoji} base emoji (10%, chosen with seed {split_seed}), one
  vendor's image and its skin-tone variants ({n_heldout} images) are never trained on; the
  other vendor's image of the same emoji is, under the same name. All metrics that say
  "held-out" use these images. The generation metrics prompt with their names, which are
  training captions: there the images are held out, not the names.

## Architecture

| part | parameters | notes |
| --- | ---: | --- |
| text encoder | {p_text:,} | WordPiece ({vocab} tokens), 4 transformer layers, width 128, {ctx} tokens; per-token states and a projected [CLS] embedding |
| image encoder | {p_image:,} | small ResNet; used only to train CLIP |
| VAE | {p_vae:,} | KL autoencoder, 3x{size}x{size} -> 4x{lat}x{lat}; latent scale factor {scale:.5f} |
| U-Net | {p_unet:,} | 8x8 and 4x4 levels, residual blocks with timestep embedding, transformer blocks with self- and cross-attention to the text; EMA weights |

- Noise schedule: SD v1's scaled-linear betas ({beta_start} to {beta_end}), T = {T},
  epsilon prediction, trained with min-SNR-{min_snr:g} weighting; prompts dropped {drop:.0%} of the time
  for classifier-free guidance.
- Sampling: {n_samplers} samplers, {samplers}; {spacings}. Defaults: {default_sampler},
  {steps} steps, guidance {guidance}.
- Weights ship as int8 with a float scale per output channel (Cast + Mul in the ONNX
  graphs, folded to float32 at load); all arithmetic is float32. The teacher's files (graphs,
  tokenizer, manifest, golden tensors, gallery, metrics): {mb:.1f} MB, {gz:.1f} MB gzip-compressed.

## Training

On {hardware}: VAE {m_vae} min, then its decoder alone fine-tuned {m_dec} min (the encoder,
and so the latent space, unchanged; later rounds with mirrored and shifted images, the last
with two extra full-resolution blocks), CLIP {m_clip} min (contrastive InfoNCE, both
directions, pairs of the same emoji counted as matches), U-Net {m_unet} min
({unet_steps:,} steps of batch {unet_batch}, AdamW {unet_lr}, EMA {ema:g}).

## Quality

| metric | value |
| --- | ---: |
| VAE PSNR on held-out images | {psnr} dB |
| CLIP image->text R@1 / R@5 / R@10, held-out base images among {n_captions} captions | {r1}% / {r5}% / {r10}% |
| Generation: caption in top 5 of 100 by our CLIP ({n_gen} training captions, seeds 0-{last_seed}) | {g5}% (top 1: {g1}%) |

The held-out generations, with intervals, are in the student's grid below.

## Limits and known failures

- 32 x 32 pixels: fine detail (small text, thin outlines, skin-tone modifiers on small
  figures) is beyond the VAE and the U-Net; complex scenes come out as coloured blobs.
- The vocabulary comes from emoji names and keywords: words outside it are spelled from
  pieces or become [UNK], and the model has no notion of them.
- Prompts combining concepts never seen together ("a cat on a car") rarely compose.
- Flags of similar colours get confused; the VAE softens edges.
"""


def count(m):
    return sum(p.numel() for p in m.parameters())


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(n):
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else f"{n:,}"


def short_float(x):
    """3e-4 rather than 0.0003 (a learning rate as it is usually written)."""
    if x >= 0.01:
        return f"{x:g}"
    mantissa, exponent = f"{x:e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def sampling_text(manifest):
    """The card's sampling line from the manifest's samplers and schedule, and schedule.py's
    timestep spacings (the manifest names the default one)."""
    names = manifest["sampler"]["available"]
    labels = [SAMPLER_LABELS[n] + (" (eta 0)" if n == "ddim" else "") for n in names]
    default = manifest["schedule"]["timestep_spacing"]
    notes = {"trailing": f"ours, the first step at t = {config.T - 1}", "leading": "Stable Diffusion v1's"}
    spacings = [f'"{s}" ({notes.get(s, s)}{"; the default" if s == default else ""})'
                for s in sorted(schedule.SPACINGS, key=lambda s: s != default)]
    return {"n_samplers": in_words(len(names)), "samplers": ", ".join(labels[:-1]) + " and " + labels[-1],
            "spacings": f"each with {in_words(len(spacings))} timestep spacings, " + " or ".join(spacings),
            "default_sampler": SAMPLER_LABELS[manifest["sampler"]["default"]]}


def teacher_training(out, ustate=None):
    """Where and how long the teacher's parts trained, for the card: from their checkpoints;
    on a machine without them (the card rewritten on a fresh clone), the minutes from the
    card's earlier text, written when the checkpoints were there, and the U-Net's steps and
    minutes from the manifest."""
    import platform
    import re

    def minutes(name):
        s = train.load(train.ckpt_path(name))
        return round((s["elapsed"] + s.get("earlier_elapsed", 0)) / 60) if s else 0

    if ustate is not None:
        return {"hardware": f"{platform.machine()} CPU, 2 cores, PyTorch {torch.__version__}",
                "m_vae": minutes("vae"), "m_dec": minutes("vae_decoder"), "m_clip": minutes("clip"),
                "m_unet": round(ustate["elapsed"] / 60), "unet_steps": ustate["step"]}
    card = (out / "MODEL_CARD.md").read_text() if (out / "MODEL_CARD.md").exists() else ""
    found = re.search(r"On (.+?): VAE (\d+) min, then its decoder alone fine-tuned (\d+) min.*?CLIP (\d+) min", card,
                      flags=re.S)
    if not found:
        raise SystemExit("the card's training times need the training checkpoints or an earlier card")
    unet = json.loads((out / "manifest.json").read_text())["training"]
    return {"hardware": found[1], "m_vae": int(found[2]), "m_dec": int(found[3]), "m_clip": int(found[4]),
            "m_unet": round(unet["unet_minutes"]), "unet_steps": unet["unet_steps"]}


def evaluate_all(measure=True):
    """The teacher's metrics, its gallery and the card's head (everything before the generated
    sections, which are kept). measure=False: the head written again from metrics.json, the
    manifest and the shipped files, without the training checkpoints (`python3 -m training
    card`)."""
    import gzip

    from . import data, shipped

    out = config.MODELS_OUT
    path = out / "metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {}
    if measure:
        d, wp, vae, clip, unet, scale, ustate = export.load_models()
        metrics.update({
            "vae": vae_metrics(d, vae),
            "clip": clip_metrics(d, wp, clip),
            "generation": generation_metrics(d, wp, clip, vae, unet, scale),
        })
        print(json.dumps({k: metrics[k] for k in ("vae", "clip", "generation")}))
        gallery(clip, vae, unet, wp, scale, out / "gallery.png")
    else:
        d = data.load(config.LIMIT)
        _, wp, clip, vae, unet, scale = shipped.load(out)
        ustate = None
    manifest = export.manifest.read(out)
    # The teacher's files whenever this runs: not the student's (written after this in `all`),
    # npm run bench's timings or the card itself.
    files = [p for p in out.rglob("*") if p.is_file() and p.name not in ("MODEL_CARD.md", "bench.json")
             and "student" not in p.name]
    mb = sum(p.stat().st_size for p in files) / 1e6
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files) / 1e6
    card = CARD.format(
        n_gallery=len(GALLERY_PROMPTS), steps=config.DEFAULT_STEPS, guidance=config.DEFAULT_GUIDANCE,
        size=config.IMAGE_SIZE, lat=config.LATENT_SIZE, n_images=len(d["images"]),
        heldout_emoji=len(set(d["base_id"][d["heldout"]].tolist())), split_seed=config.SPLIT_SEED,
        n_heldout=int(d["heldout"].sum()), p_text=count(clip.text), p_image=count(clip.image),
        p_vae=count(vae), p_unet=count(unet), vocab=len(wp.vocab), ctx=config.CONTEXT_LENGTH,
        scale=scale, beta_start=config.BETA_START, beta_end=config.BETA_END, T=config.T, min_snr=config.MIN_SNR,
        drop=config.CAPTION_DROP, mb=mb, gz=gz, unet_batch=config.UNET_BATCH, unet_lr=short_float(config.UNET_LR),
        ema=config.EMA_DECAY, **teacher_training(out, ustate), **sampling_text(manifest),
        psnr=metrics["vae"]["psnr_db"], n_captions=metrics["clip"]["captions"], r1=metrics["clip"]["r@1"],
        r5=metrics["clip"]["r@5"], r10=metrics["clip"]["r@10"], n_gen=metrics["generation"]["captions"],
        last_seed=metrics["generation"]["captions"] - 1, g5=metrics["generation"]["top5_of_100"],
        g1=metrics["generation"]["top1_of_100"],
    )
    # The generated sections after the head (the student's, the samplers', ...) stay.
    old = (out / "MODEL_CARD.md").read_text() if (out / "MODEL_CARD.md").exists() else ""
    sections = old[old.index("<!-- "):] if "<!-- " in old else ""
    (out / "MODEL_CARD.md").write_text(card + ("\n" + sections if sections else ""))
    path.write_text(json.dumps(metrics, indent=1))

    # The card, gallery and metrics join the manifest's file list.
    export.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "gallery": "gallery.png",
                                     "metrics": "metrics.json"})
    manifest["metrics"] = metrics
    export.manifest.write(out, manifest)
    return metrics


STUDENT_CARD = """{begin}
## The distilled student (1 to 8 steps)

![The student: the same {n_gallery} prompts, seed 42, {steps} steps, guidance {guidance}](gallery_student.png)

A second U-Net, `unet_student.onnx`, draws in 1, 2, 4 or 8 steps of **one** run each. It
learned from the shipped teacher alone (`python3 -m training distill`), with the same
frozen CLIP and VAE:

- Same architecture and width as the teacher ({params:,} parameters: the teacher's
  {teacher_params:,} plus a small embedding of two new inputs), initialised from its weights.
  The new inputs' embedding starts at zero, so the copy first computes the teacher's own
  output; but that output is read as v (below), not as the noise, so the student is not the
  teacher at the start of training, only built from its weights.
- Guidance folded in (Meng et al. 2023): the guidance scale ({g_lo:g} to {g_hi:g}) is an
  input, embedded like the timestep, so a step is one run at batch 1; the teacher needs two
  (with and without the prompt).
- The step count is an input too: the best jump from pure noise differs between a 1-step
  and a 2-step path, so one file serves every step count it was trained for.
- v-prediction (Salimans & Ho 2022): the network predicts v = sqrt(abar) eps - sqrt(1 - abar)
  x0, which does not amplify its errors at t = 999 the way a predicted noise does (15x there);
  the exported graph converts it to the noise, so the site's sampler is the teacher's.
- What it learns from: the teacher's own guided DDIM paths from noise on its
  {teacher_steps}-step grid, for random training captions and guidance scales ({paths_text}).
  A student step asked for N steps learns the jump that takes the teacher {teacher_steps}/N
  of its steps (the grids are nested), with the clean-image error weighted by max(SNR, 1).
- Training, stage by stage:
{training}

### Quality at equal cost

{grid}

On {n_images} generations, {n_prompts} names x {n_seeds} seeds ({seeds}), guidance {guidance}.
The names are those of the {n_prompts} held-out emoji, and each is also a training caption
(the other vendor's image of the emoji is trained on): these are held-out images of trained
names, not unseen prompts. *Top 1 / top 5*: the generated image's own caption ranks first /
in the first five among all {n_captions} captions by our CLIP. *KID*: kernel inception
distance on CLIP image features to the {n_real} real held-out images (x1000, ± its standard
error). *PSNR*: median against the teacher's 25-step image for the same prompt and seed.
*Top 5 of 100*: the older metric (100 training captions), kept for history. {intervals}
{bench}

### At equal U-Net runs

{equal_runs}

### Experiments

{experiments}
{end}"""
CARD_BEGIN, CARD_END = "<!-- student -->", "<!-- /student -->"


def write_card_section(card_path, begin, end, section):
    """Puts a generated section into the model card: in place of its earlier version, or at the end."""
    import re

    card = card_path.read_text()
    pattern = re.escape(begin) + ".*?" + re.escape(end)
    if re.search(pattern, card, flags=re.S):
        card = re.sub(pattern, lambda _: section, card, flags=re.S)
    else:
        card = card.rstrip("\n") + "\n\n" + section + "\n"
    card_path.write_text(card)


SAMPLER_CARD = """{begin}
## Samplers at few steps

The teacher with each of the site's samplers (trailing timesteps, guidance {guidance}), on the
same {n_images} generations as the student's grid ({n_prompts} held-out images' names x
{n_seeds} seeds). PSNR is against the 25-step DDIM image for the same prompt and seed, so it
measures how close a sampler comes to *that* picture, not how good its own is: the stochastic
samplers (Euler ancestral, DDPM) add fresh noise at every step and end at other pictures of
the same prompt, so their PSNR stays low even at 25 steps while retrieval and KID say whether
the pictures are right.

{table}
{same}
Top 1 / top 5: caption retrieval among all {n_captions} captions by our CLIP. KID x1000 on
CLIP image features against the {n_real} real held-out images, ± its standard error. PSNR:
median. {intervals}
{end}"""
SAMPLER_BEGIN, SAMPLER_END = "<!-- samplers -->", "<!-- /samplers -->"
SAMPLER_LABELS = {"ddim": "DDIM", "euler": "Euler", "euler_a": "Euler ancestral", "ddpm": "DDPM",
                  "dpmpp_2m": "DPM-Solver++ (2M)"}


def intervals_text(n_names):
    """The legend of every interval in the card's generation tables (training/quality.py)."""
    from .quality import BOOTSTRAP, SEEDS

    return (f"The intervals are 95% percentile intervals and the standard errors standard deviations of one "
            f"cluster bootstrap over names: {BOOTSTRAP:,} resamples of the {n_names} names with replacement, each "
            f"taking {'both' if len(SEEDS) == 2 else 'all ' + in_words(len(SEEDS))} seeds' images of every name it picks (a name's images share their "
            "prompt, so they are not independent draws), and for KID the real images resampled on their own. "
            "Where two rows' intervals overlap (for KID: where the two differ by no more than twice their combined "
            "standard error), the two are not measurably different at this sample size.")


def sampler_row(r):
    if "psnr_vs_teacher25_db" not in r:
        psnr_ = "(the reference)"
    elif r["psnr_vs_teacher25_db"] > 60:  # float rounding apart
        psnr_ = f"{r['psnr_vs_teacher25_db']:.0f}: the same picture"
    else:
        psnr_ = f"{r['psnr_vs_teacher25_db']:.2f} [{r['psnr_ci'][0]:.2f}, {r['psnr_ci'][1]:.2f}]"
    return (f"| {SAMPLER_LABELS[r['sampler']]} | {r['steps']} | {r['unet_runs']} | {r['top1_of_all']:.1f} "
            f"[{r['top1_ci'][0]:.1f}, {r['top1_ci'][1]:.1f}] | {r['top5_of_all']:.1f} "
            f"[{r['top5_ci'][0]:.1f}, {r['top5_ci'][1]:.1f}] | {r['kid_x1000']:.2f} ± {r['kid_se_x1000']:.2f} | "
            f"{psnr_} |")


def same_pictures_text(rows):
    """Pairs of samplers whose rows agree in every metric at every step count: one method in
    two coordinate systems (x, or x / sqrt(abar) as the Euler samplers work)."""
    def metrics(name):
        return [(r["steps"], r["top1_of_all"], r["top5_of_all"], r["kid_x1000"]) for r in rows if r["sampler"] == name]

    pairs = [(a, b) for a, b in (("euler", "ddim"), ("ddpm", "euler_a")) if metrics(a) and metrics(a) == metrics(b)]
    if not pairs:
        return ""
    said = " and ".join(f"{SAMPLER_LABELS[a]} gives {SAMPLER_LABELS[b]}'s pictures" for a, b in pairs)
    return (f"\n{said}, at every step count measured: each pair is one method written for x or for "
            "x / sqrt(abar) (where the Euler samplers work), the same to float rounding.\n")


@torch.no_grad()
def evaluate_samplers(measure=True):
    """The sampler x steps grid of the teacher (training/quality.py), its card section and
    metrics.json's "samplers" rows: `python3 -m training sampler_quality`."""
    from . import data, quality, shipped

    out = config.MODELS_OUT
    d = data.load(config.LIMIT)
    manifest = export.manifest.read(out)
    guidance = manifest["models"]["teacher"]["guidance"]
    metrics = json.loads((out / "metrics.json").read_text())
    if measure:
        _, wp, clip, vae, teacher, scale = shipped.load(out)
        steps = (1, 2) if config.SMOKE else quality.SAMPLER_STEPS
        metrics["samplers"] = quality.sampler_table(d, wp, clip, vae, teacher, scale, guidance, steps=steps,
                                                    log=lambda r: None)
    rows = metrics["samplers"]
    names, _, _, real = quality.heldout_prompts(d)
    n_names = len(names) // len(quality.SEEDS)
    table = "\n".join(["| sampler | steps | U-Net runs | top 1 of all (%) | top 5 of all (%) | KID x1000 | "
                       "PSNR vs DDIM 25 (dB) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                       *map(sampler_row, rows)])
    section = SAMPLER_CARD.format(begin=SAMPLER_BEGIN, end=SAMPLER_END, guidance=guidance, n_images=len(names),
                                  n_prompts=n_names, n_seeds=len(quality.SEEDS), table=table,
                                  same=same_pictures_text(rows), n_captions=len(d["base_labels"]), n_real=len(real),
                                  intervals=intervals_text(n_names))
    write_card_section(out / "MODEL_CARD.md", SAMPLER_BEGIN, SAMPLER_END, section)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    export.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "metrics": "metrics.json"})
    manifest["metrics"] = metrics
    export.manifest.write(out, manifest)
    return rows


def training_text(entry):
    """The card's lines on how the student was trained, one per stage (a fine-tune after a
    first run, say), from the manifest entry."""
    stages = entry.get("training") or [{"device": "cpu", "steps": entry["train_steps"], "batch": entry.get("batch"),
                                         "minutes": entry["minutes"], "paths": entry["paths"],
                                         "path_minutes": entry.get("path_minutes")}]
    lines = []
    for i, st in enumerate(stages):
        where = "one GPU" if str(st["device"]).startswith("cuda") else "the CPU (2 cores)"
        start = "from the teacher's weights" if i == 0 else "continuing from the stage above"
        weights = st.get("step_weights")
        mix = (f", step counts 1/2/4/8 drawn {':'.join(f'{w:g}' for w in weights)}" if weights else "")
        lines.append(f"  - {st['minutes']:g} min on {where}, {start}: {st['steps']:,} steps of batch {st['batch']}"
                     f"{mix}; on {st['paths'] or 0:,} paths the teacher drew there in {st.get('path_minutes') or 0:g} min.")
    return "\n".join(lines)


def paths_text(entry):
    """How many teacher paths the student learned from: the manifest's count, and, when it
    trained in stages, that the stages drew their paths apart with the same shard seeds
    (distill.make_trajectories seeds shard k with 1000 + k on every machine)."""
    stages = entry.get("training") or []
    if len(stages) < 2:
        return f"{entry['paths']:,} paths"
    each = " and ".join(f"{st['paths'] or 0:,}" for st in stages)
    return (f"{entry['paths']:,} paths drawn in all, {each} in the stages below; each stage drew its own from the "
            "same shard seeds, so they are not that many independent draws")


def experiments_text(shipped_name=None):
    """Every student recipe tried, from training/experiments.json (`python3 -m training.quality
    NAME 1 2 4 8 --save`): the same held-out grid, so they compare with each other and the
    teacher's rows above."""
    from .quality import EXPERIMENTS

    log = json.loads(EXPERIMENTS.read_text()) if EXPERIMENTS.exists() else {}
    if not log:
        return "None recorded."
    counts = sorted({r["steps"] for e in log.values() for r in e["rows"]})

    def cells(e, key):
        by = {r["steps"]: r for r in e["rows"]}
        return " / ".join(f"{by[n][key]:.1f}" if n in by else "-" for n in counts)

    steps = "/".join(map(str, counts))
    lines = [f"| checkpoint | recipe | top 1 (%) at {steps} steps | KID x1000 at {steps} steps |",
             "| --- | --- | --- | --- |"]
    for name, e in log.items():
        mark = " (shipped)" if name == shipped_name else ""
        lines.append(f"| {name}{mark} | {e['recipe']} | {cells(e, 'top1_of_all')} | {cells(e, 'kid_x1000')} |")
    return ("Float weights before the int8 round trip, so a shipped row can differ slightly from the grid "
            "above.\n\n" + "\n".join(lines))


def threads_text(bench):
    """What the runtime's thread pool costs on few-step runs, from the bench's single-thread rows,
    and what a generation's first U-Net run costs, from the teacher's per-step times."""
    g = {(r["model"], r["steps"]): r for r in bench["grid"]}
    rows = [(r, g.get((r["model"], r["steps"]))) for r in bench.get("one_thread", [])]
    if not rows:
        return ""
    each = "; ".join(f"{r['model']} {r['steps']} step{'s' if r['steps'] > 1 else ''} {r['ms']:.0f} ms "
                     f"(threaded {m['ms']:.0f})" for r, m in rows if m)
    text = (f" The same rows with the runtime on one thread instead of one per core: {each}. On this 2-core "
            "machine a thread pool costs few-step generations more than it saves.")
    one, many = g.get(("teacher", 1)), max((r for r in bench["grid"] if r["model"] == "teacher"),
                                           key=lambda r: r["steps"], default=None)
    if one and many and many["steps"] > 1:
        a, b = one["unet_ms_per_step"], many["unet_ms_per_step"]
        text += (f" A generation's first U-Net run costs more than a warm one: the teacher's U-Net time per step "
                 f"is {a:.1f} ms at 1 step and {b:.1f} ms at {many['steps']}, {a / b:.2f} times as much; the text "
                 "encoder and decoder run once each, cold.")
    return text


def unet_run_text(bench):
    """The student's one U-Net run against the teacher's guided step (two runs, batched), at the
    same step count so that both carry the same share of a generation's first, cold run."""
    g = {(r["model"], r["steps"]): r for r in bench["grid"]}
    pairs = [(r["steps"], r["unet_ms_per_step"], g[("teacher", r["steps"])]["unet_ms_per_step"])
             for r in bench["grid"] if r["model"] == "student" and ("teacher", r["steps"]) in g]
    if not pairs:
        return ""
    ratio = float(np.median([s_ / t_ for _, s_, t_ in pairs]))
    each = ", ".join(f"{n} step{'s' if n > 1 else ''} {s_:.1f} / {t_:.1f} ms" for n, s_, t_ in pairs)
    return (f" Per step, the student's one U-Net run takes {ratio:.2f} of the teacher's guided step (its two runs, "
            f"batched) at the same step count, the median over step counts ({each}).")


def fmt_row(r):
    psnr_ = (f"{r['psnr_vs_teacher25_db']:.1f} [{r['psnr_ci'][0]:.1f}, {r['psnr_ci'][1]:.1f}]"
             if "psnr_vs_teacher25_db" in r else "(reference)")
    return (f"| {r['model']} | {r['steps']} | {r['unet_runs']} | {r['top1_of_all']:.1f} "
            f"[{r['top1_ci'][0]:.1f}, {r['top1_ci'][1]:.1f}] | {r['top5_of_all']:.1f} "
            f"[{r['top5_ci'][0]:.1f}, {r['top5_ci'][1]:.1f}] | {r['kid_x1000']:.2f} ± {r['kid_se_x1000']:.2f} | "
            f"{psnr_} | {r.get('top5_of_100', '')} | {r['ms_chromium'] if r.get('ms_chromium') else ''} |")


def equal_runs_lines(rows):
    """The student at N steps against the teacher at N/2 steps: the same cost in U-Net runs per
    image (N: the student's one run per step, the teacher's two). Which is ahead on each
    metric's point estimate, and whether the two are measurably different at this sample size
    (top 1: the two intervals do not overlap; KID: the difference is more than twice the
    combined standard error)."""
    by = {(r["model"], r["steps"]): r for r in rows}
    lines = []
    for (model, n), s in sorted(by.items()):
        t = by.get(("teacher", n // 2)) if model == "student" and n >= 2 else None
        if not t:
            continue
        top1 = s["top1_of_all"] - t["top1_of_all"]
        kid_ = t["kid_x1000"] - s["kid_x1000"]  # positive: the student is closer to the real images
        top1_in = s["top1_ci"][0] <= t["top1_ci"][1] and t["top1_ci"][0] <= s["top1_ci"][1]
        kid_in = abs(kid_) <= 2 * math.hypot(s["kid_se_x1000"], t["kid_se_x1000"])

        def say(d, inside, unit):
            who = f"student ahead by {abs(d):.1f}{unit}" if d > 0 else (
                f"teacher ahead by {abs(d):.1f}{unit}" if d < 0 else "the same point estimate")
            return who + (", not measurably different at this sample size" if inside else "")

        lines.append(f"- {n} U-Net runs per image (student {n} step{'s' if n > 1 else ''} of one run, teacher "
                     f"{n // 2} step{'s' if n // 2 > 1 else ''} of two): top 1 {s['top1_of_all']:.1f} vs "
                     f"{t['top1_of_all']:.1f}, {say(top1, top1_in, ' points')}; KID {s['kid_x1000']:.2f} vs "
                     f"{t['kid_x1000']:.2f}, {say(kid_, kid_in, '')}.")
    return "\n".join(lines) or "No rows to compare."


@torch.no_grad()
def evaluate_student(measure=True):
    """The model x steps grid for both models, the student's gallery and its card section.
    With measure=False only the card is written again, from metrics.json's grid and the
    latest `npm run bench` (static/models/bench.json), which times every row in Chromium."""
    from . import data, quality, shipped

    out = config.MODELS_OUT
    d = data.load(config.LIMIT)
    manifest = export.manifest.read(out)
    entry = manifest["models"]["student"]
    guidance = entry["guidance"]
    steps = entry["steps"]
    metrics = json.loads((out / "metrics.json").read_text())
    if measure:
        rows = measure_grid(d, out, guidance)
        metrics.pop("student", None)
        metrics["grid"] = rows
    rows = metrics["grid"]
    bench_path = out / "bench.json"
    bench = json.loads(bench_path.read_text()) if bench_path.exists() else None
    for r in rows:
        b = next((g for g in (bench or {}).get("grid", []) if (g["model"], g["steps"]) == (r["model"], r["steps"])),
                 None)
        r["ms_chromium"] = round(b["ms"], 1) if b else None
    names, _, _, real = quality.heldout_prompts(d)
    grid = "\n".join(["| model | steps | U-Net runs | top 1 of all (%) | top 5 of all (%) | KID x1000 | "
                      "PSNR vs teacher 25 (dB) | top 5 of 100 | ms, Chromium |",
                      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *map(fmt_row, rows)])
    n_names = len(names) // len(quality.SEEDS)
    section = STUDENT_CARD.format(
        begin=CARD_BEGIN, end=CARD_END, n_gallery=len(GALLERY_PROMPTS), steps=steps, guidance=guidance,
        params=entry["params"], teacher_params=manifest["models"]["teacher"]["params"],
        g_lo=entry["guidance_range"][0], g_hi=entry["guidance_range"][1], teacher_steps=entry["teacher_steps"],
        paths_text=paths_text(entry), training=training_text(entry), grid=grid, n_images=len(names),
        n_prompts=n_names, n_seeds=len(quality.SEEDS), seeds=" and ".join(map(str, quality.SEEDS)),
        n_captions=len(d["base_labels"]), n_real=len(real), intervals=intervals_text(n_names),
        experiments=experiments_text(entry.get("checkpoint")), equal_runs=equal_runs_lines(rows),
        bench=(f"Times: `npm run bench`, {bench['browser']}, {bench['cores']} cores, {bench['date']}: prompt to "
               "pixels with the trace, warm medians." + threads_text(bench) + unet_run_text(bench)
               if bench else "Times: not measured yet (`npm run bench`)."),
    )
    write_card_section(out / "MODEL_CARD.md", CARD_BEGIN, CARD_END, section)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    export.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "metrics": "metrics.json",
                                     "gallery_student": "gallery_student.png"})
    manifest["metrics"] = metrics
    export.manifest.write(out, manifest)
    return rows


@torch.no_grad()
def measure_grid(d, out, guidance):
    """Every row of the grid (training/quality.py), the old top-5-of-100 beside it, and the
    student's gallery."""
    from . import quality, shipped

    _, wp, clip, vae, teacher, scale = shipped.load(out)
    student, _ = export.load_student(or_shipped=True)
    steps = json.loads((out / "manifest.json").read_text())["models"]["student"]["steps"]
    if config.SMOKE:
        rows = quality.table(d, wp, clip, vae, teacher, scale, student, (1, 2), (1, 2), guidance)
    else:
        rows = quality.table(d, wp, clip, vae, teacher, scale, student, guidance=guidance)
    # The older metric, for history: 100 training captions.
    captions = generation_captions(d)
    cap_emb = text_embeddings(clip, wp, captions)
    for r in rows:
        if r["model"] == "teacher":
            imgs = generate(clip, vae, teacher, wp, scale, captions, list(range(len(captions))), r["steps"], guidance)
        else:
            imgs = quality.student_images(clip, vae, student, wp, scale, captions, list(range(len(captions))),
                                          r["steps"], guidance)
        r["top5_of_100"] = recall(image_embeddings(clip, imgs) @ cap_emb.T, torch.arange(len(captions)), ks=(5,))["r@5"]
    sheet(quality.student_images(clip, vae, student, wp, scale, GALLERY_PROMPTS, [42] * len(GALLERY_PROMPTS),
                                 steps, guidance), GALLERY_PROMPTS, out / "gallery_student.png")
    return rows

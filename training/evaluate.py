"""Measures the shipped (int8-weight) model against its quality targets and writes the
model card, the sample gallery and the metrics next to the exported files."""
import json

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


def gallery(clip, vae, unet, wp, scale, path, cols=6, zoom=3, steps=None, guidance=None):
    images = generate(clip, vae, unet, wp, scale, GALLERY_PROMPTS, [42] * len(GALLERY_PROMPTS), steps, guidance)
    arr = ((images.permute(0, 2, 3, 1).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    cell, label = config.IMAGE_SIZE * zoom, 14
    rows = (len(arr) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (cell + 8) + 8, rows * (cell + label + 10) + 8), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for i, (a, prompt) in enumerate(zip(arr, GALLERY_PROMPTS)):
        x = 8 + (i % cols) * (cell + 8)
        y = 8 + (i // cols) * (cell + label + 10)
        sheet.paste(Image.fromarray(a).resize((cell, cell), Image.NEAREST), (x, y))
        draw.text((x, y + cell + 2), prompt[:16], fill=(40, 40, 40), font=font)
    sheet.save(path, optimize=True)


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
  other vendor's image of the same emoji is. All metrics that say "held-out" use them.

## Architecture

| part | parameters | notes |
| --- | ---: | --- |
| text encoder | {p_text:,} | WordPiece ({vocab} tokens), 4 transformer layers, width 128, {ctx} tokens; per-token states and a projected [CLS] embedding |
| image encoder | {p_image:,} | small ResNet; used only to train CLIP |
| VAE | {p_vae:,} | KL autoencoder, 3x{size}x{size} -> 4x{lat}x{lat}; latent scale factor {scale:.5f} |
| U-Net | {p_unet:,} | 8x8 and 4x4 levels, residual blocks with timestep embedding, transformer blocks with self- and cross-attention to the text; EMA weights |

- Noise schedule: SD v1's scaled-linear betas ({beta_start} to {beta_end}), T = 1000,
  epsilon prediction, trained with min-SNR-5 weighting; prompts dropped 10% of the time
  for classifier-free guidance.
- Sampling: DDIM (eta 0) or Euler with "trailing" timesteps; defaults {steps} steps,
  guidance {guidance}.
- Weights ship as int8 with a float scale per output channel (Cast + Mul in the ONNX
  graphs, folded to float32 at load); all arithmetic is float32. Shipped folder: {mb:.1f} MB,
  {gz:.1f} MB gzip-compressed.

## Training

On {hardware}: VAE {m_vae} min, then its decoder alone fine-tuned {m_dec} min (the encoder,
and so the latent space, unchanged; later rounds with mirrored and shifted images, the last
with two extra full-resolution blocks), CLIP {m_clip} min (contrastive InfoNCE, both
directions, pairs of the same emoji counted as matches), U-Net {m_unet} min
({unet_steps:,} steps of batch 128, AdamW 3e-4, EMA 0.999).

## Quality (targets from the project's issues)

| metric | value | target |
| --- | ---: | ---: |
| VAE PSNR on held-out images | {psnr} dB | >= 28 dB |
| CLIP image->text R@1 / R@5 / R@10, held-out base images among {n_captions} captions | {r1}% / {r5}% / {r10}% | R@10 >= 50% |
| Generation: caption in top 5 of 100 by our CLIP ({n_gen} training captions, seeds 0-99) | {g5}% (top 1: {g1}%) | >= 50% |

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


def evaluate_all(smoke=False, limit=None):
    import gzip
    import platform

    d, wp, vae, clip, unet, scale, ustate = export.load_models(smoke, limit)
    out = config.MODELS_OUT
    metrics = {
        "vae": vae_metrics(d, vae),
        "clip": clip_metrics(d, wp, clip),
        "generation": generation_metrics(d, wp, clip, vae, unet, scale),
    }
    print(json.dumps(metrics))
    gallery(clip, vae, unet, wp, scale, out / "gallery.png")

    def minutes(name):
        s = train.load(train.ckpt_path(name, smoke))
        return round((s["elapsed"] + s.get("earlier_elapsed", 0)) / 60) if s else 0

    files = [p for p in out.rglob("*") if p.is_file() and p.name != "MODEL_CARD.md"]
    mb = sum(p.stat().st_size for p in files) / 1e6
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files) / 1e6
    card = CARD.format(
        n_gallery=len(GALLERY_PROMPTS), steps=config.DEFAULT_STEPS, guidance=config.DEFAULT_GUIDANCE,
        size=config.IMAGE_SIZE, lat=config.LATENT_SIZE, n_images=len(d["images"]),
        heldout_emoji=len(set(d["base_id"][d["heldout"]].tolist())), split_seed=config.SPLIT_SEED,
        n_heldout=int(d["heldout"].sum()), p_text=count(clip.text), p_image=count(clip.image),
        p_vae=count(vae), p_unet=count(unet), vocab=len(wp.vocab), ctx=config.CONTEXT_LENGTH,
        scale=scale, beta_start=config.BETA_START, beta_end=config.BETA_END, mb=mb, gz=gz,
        hardware=f"{platform.machine()} CPU, 2 cores, PyTorch {torch.__version__}",
        m_vae=minutes("vae"), m_dec=minutes("vae_decoder"), m_clip=minutes("clip"), m_unet=round(ustate["elapsed"] / 60),
        unet_steps=ustate["step"], psnr=metrics["vae"]["psnr_db"],
        n_captions=metrics["clip"]["captions"], r1=metrics["clip"]["r@1"],
        r5=metrics["clip"]["r@5"], r10=metrics["clip"]["r@10"],
        n_gen=metrics["generation"]["captions"], g5=metrics["generation"]["top5_of_100"],
        g1=metrics["generation"]["top1_of_100"],
    )
    (out / "MODEL_CARD.md").write_text(card)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))

    # The card, gallery and metrics join the manifest's file list.
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    export.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "gallery": "gallery.png",
                                     "metrics": "metrics.json"})
    manifest["metrics"] = metrics
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return metrics


STUDENT_CARD = """{begin}
## The distilled student (few-step sampling)

![The student: the same {n_gallery} prompts, seed 42, DDIM {steps} steps, guidance {guidance}](gallery_student.png)

A second U-Net, `unet_student.onnx`, samples in {steps} DDIM steps instead of
{teacher_steps}. It is narrower ({ch} channels against the teacher's {teacher_ch}:
{params:,} parameters against {teacher_params:,}) and learned from the teacher alone, with
the same data, the same frozen CLIP and VAE (`python3 -m training distill`):

1. Knowledge distillation, {m_student} min ({student_steps:,} steps of batch 128): the
   student matches the teacher's noise prediction (and, lightly, its cross-attention maps)
   at every timestep, with and without the prompt.
2. Progressive distillation (Salimans & Ho 2022), {rounds}: the student learns to land in
   one guided DDIM step (guidance {guidance}, cond and uncond combined as the site does)
   where its teacher lands in two (targets computed by the teacher, in epsilon form,
   min-SNR-5 weighted); both branches also stay near the teacher's own predictions. Half
   the batches start where the student's own earlier steps from noise take it, so that it
   learns to correct its own errors.

Classifier-free guidance stays outside the model, as for the teacher: each step runs the
student on a batch of 2 (with and without the prompt).

| metric | teacher, {teacher_steps} steps | student, {steps} steps | student, 2 steps | student, 1 step | target |
| --- | ---: | ---: | ---: | ---: | ---: |
| Generation: caption in top 5 of 100 | {t5}% | {s5}% | {s5_2}% | {s5_1}% | student at {steps} steps within 10 points of the teacher |
| Generation: top 1 of 100 | {t1}% | {s1}% | {s1_2}% | {s1_1}% | |
| Teacher sampled in {steps} steps (no distillation), top 5 / top 1 | | {tf5}% / {tf1}% | | | |

CLIP and the VAE are shared, so their metrics above hold for both. Training CPU time:
{m_total} min on the same 2 cores.
{end}"""
CARD_BEGIN, CARD_END = "<!-- student -->", "<!-- /student -->"


@torch.no_grad()
def evaluate_student(smoke=False, limit=None):
    """The student's metrics next to the teacher's, its gallery and its section of the card."""
    import re

    d, wp, vae, clip, teacher, scale, _ = export.load_models(smoke, limit)
    student, _, _ = export.load_student(smoke)
    out = config.MODELS_OUT
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    entry = manifest["models"]["student"]
    steps, guidance = entry["steps"], entry["guidance"]
    gen = {n: generation_metrics(d, wp, clip, vae, student, scale, n, guidance) for n in (steps, 2, 1)}
    fast_teacher = generation_metrics(d, wp, clip, vae, teacher, scale, steps, config.DEFAULT_GUIDANCE)
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["student"] = {"generation": gen[steps], "generation_2_steps": gen[2], "generation_1_step": gen[1],
                          "teacher_in_student_steps": fast_teacher, "steps": steps, "guidance": guidance}
    print(json.dumps(metrics["student"]))
    gallery(clip, vae, student, wp, scale, out / "gallery_student.png", steps=steps, guidance=guidance)

    section = STUDENT_CARD.format(
        begin=CARD_BEGIN, end=CARD_END, n_gallery=len(GALLERY_PROMPTS), steps=steps, guidance=guidance,
        teacher_steps=config.DEFAULT_STEPS, ch=entry["channels"], teacher_ch=manifest["models"]["teacher"]["channels"],
        params=entry["params"], teacher_params=manifest["models"]["teacher"]["params"],
        m_student=round((entry["minutes"] - sum(r["minutes"] for r in entry["rounds"]))),
        student_steps=entry["train_steps"],
        rounds="; ".join(f"the {r['from']} in {r['from_steps']} steps -> the student in {r['steps']} "
                         f"({r['minutes']:.0f} min, {r['train_steps']:,} steps of batch 32)" for r in entry["rounds"]),
        t5=metrics["generation"]["top5_of_100"], t1=metrics["generation"]["top1_of_100"],
        s5=gen[steps]["top5_of_100"], s1=gen[steps]["top1_of_100"], s5_2=gen[2]["top5_of_100"],
        s1_2=gen[2]["top1_of_100"], s5_1=gen[1]["top5_of_100"], s1_1=gen[1]["top1_of_100"],
        tf5=fast_teacher["top5_of_100"], tf1=fast_teacher["top1_of_100"], m_total=round(entry["minutes"]),
    )
    card_path = out / "MODEL_CARD.md"
    card = re.sub(re.escape(CARD_BEGIN) + ".*" + re.escape(CARD_END), "", card_path.read_text(), flags=re.S)
    card_path.write_text(card.rstrip("\n") + "\n\n" + section + "\n")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    export.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "metrics": "metrics.json",
                                     "gallery_student": "gallery_student.png"})
    manifest["metrics"] = metrics
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return metrics["student"]

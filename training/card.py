"""The model card's templates (MODEL_CARD.md) and the text filled into them: numbers in words,
the sampling line, the grids' rows, the legends. No measuring here: evaluate.py measures
(metrics.py, quality.py) and fills these from what was measured, the manifest, bench.json
and config.py."""
import json
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import config, schedule

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
The data, CLIP, the VAE, the teacher U-Net, their export and this head come from `python3 -m
training all`; the shipped student, the samplers' table and the 64 px decoder's section come
from the commands training/README.md lists for them (the student from a two-stage run with
its own flags, below). Every number was measured on the shipped files' weights, except in the
student's experiments table and the 64 px decoder's section, which say what they measured.

![Samples: {n_gallery} prompts, seed {gallery_seed}, DDIM {steps} steps, guidance {guidance}](gallery.png)

## Data and licenses

- Images: Noto Emoji (Google, Apache-2.0) and Twemoji (Twitter, Inc. and other contributors,
  CC BY 4.0), as packaged by the npm packages `emoji-datasource-google` and
  `emoji-datasource-twitter` (v16, MIT): 64 px PNGs composited over white and downsampled to
  {size} x {size}. {n_images} images ({n_base:,} base emoji and their skin-tone variants, two
  vendors).
- Captions: CLDR labels and keywords from `emojibase-data` (MIT; CLDR data under the Unicode
  License): the label, then varied captions (label + keywords, keywords only, or a keyword +
  label).
- Held-out split: for {heldout_emoji} base emoji (10%, chosen with seed {split_seed}), one
  vendor's image and its skin-tone variants ({n_heldout} images) are never trained on; the
  other vendor's image of the same emoji is, under the same name. All metrics that say
  "held-out" use these images. The generation metrics prompt with their names, which are
  training captions: there the images are held out, not the names.

## Architecture

| part | parameters | notes |
| --- | ---: | --- |
| text encoder | {p_text:,} | WordPiece ({vocab} tokens), 4 transformer layers, width {width}, {ctx} tokens; per-token states and a projected [CLS] embedding |
| image encoder | {p_image:,} | small ResNet; used only to train CLIP |
| VAE | {p_vae:,} | KL autoencoder, 3x{size}x{size} -> 4x{lat}x{lat}; latent scale factor {scale:.5f} |
| U-Net | {p_unet:,} | {lat}x{lat} and {lat_half}x{lat_half} levels, residual blocks with timestep embedding, transformer blocks with self- and cross-attention to the text; EMA weights |

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

- {size} x {size} pixels: fine detail (small text, thin outlines, skin-tone modifiers on small
  figures) is beyond the VAE and the U-Net; complex scenes come out as coloured blobs.
- The vocabulary comes from emoji names and keywords: words outside it are spelled from
  pieces or become [UNK], and the model has no notion of them.
- Prompts combining concepts never seen together ("a cat on a car") rarely compose.
- Flags of similar colours get confused; the VAE softens edges.
"""


def count(m):
    return sum(p.numel() for p in m.parameters())


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def or_list(xs):
    """1, 2, 4 or 8."""
    xs = [str(x) for x in xs]
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " or " + xs[-1]


def noise_gain_at_top():
    """How much an error in a predicted noise grows in the clean image it implies at t = T - 1:
    sqrt(1 - abar) / sqrt(abar), rounded."""
    abar = schedule.alphas_cumprod()[config.T - 1]
    return round(((1 - abar) / abar) ** 0.5)


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
    labels = [SAMPLER_LABELS[n] + (f" ({schedule.SAMPLERS[n].settings})" if schedule.SAMPLERS[n].settings else "")
              for n in names]
    default = manifest["schedule"]["timestep_spacing"]
    notes = {"trailing": f"ours, the first step at t = {config.T - 1}", "leading": "Stable Diffusion v1's"}
    spacings = [f'"{s}" ({notes.get(s, s)}{"; the default" if s == default else ""})'
                for s in sorted(schedule.SPACINGS, key=lambda s: s != default)]
    return {"n_samplers": in_words(len(names)), "samplers": ", ".join(labels[:-1]) + " and " + labels[-1],
            "spacings": f"each with {in_words(len(spacings))} timestep spacings, " + " or ".join(spacings),
            "default_sampler": SAMPLER_LABELS[manifest["sampler"]["default"]]}




STUDENT_CARD = """{begin}
## The distilled student ({step_range} steps)

![The student: the same {n_gallery} prompts, seed {gallery_seed}, {steps} steps, guidance {guidance}](gallery_student.png)

A second U-Net, `unet_student.onnx`, draws in {step_list} steps of **one** run each. It
learned from the shipped teacher alone, in the stages listed below (their commands are in
training/README.md), with the same frozen CLIP and VAE:

- Same architecture and width as the teacher ({params:,} parameters: the teacher's
  {teacher_params:,} plus a small embedding of two new inputs), initialised from its weights.
  The new inputs' embedding starts at zero, so the copy first computes the teacher's own
  output; but that output is read as v (below), not as the noise, so the student is not the
  teacher at the start of training, only built from its weights.
- Guidance folded in (Meng et al. 2023): the guidance scale ({g_lo:g} to {g_hi:g}) is an
  input, embedded like the timestep, so a step is one run at batch 1; the teacher needs two
  (with and without the prompt).
- The step count is an input too, since the best jump from pure noise may differ between a
  1-step and a 2-step path; one file serves every step count it was trained for (the
  experiments table below has a run without that input, for comparison).
- v-prediction (Salimans & Ho 2022): the network predicts v = sqrt(abar) eps - sqrt(1 - abar)
  x0, which does not amplify its errors at t = {t_top} the way a predicted noise does ({gain}x there);
  the exported graph converts it to the noise, so the site's sampler is the teacher's.
- What it learns from: the teacher's own guided DDIM paths from noise on its
  {teacher_steps}-step grid, for random training captions and guidance scales ({paths_text}).
  A student step asked for N steps learns the jump that takes the teacher {teacher_steps}/N
  of its steps (the grids are nested), with the clean-image error weighted by max(SNR, 1);
  for later steps, half the batches start where the student's own earlier steps (its EMA
  copy) lead from the path's noise, and some batches add a small pull of its attention maps
  toward the teacher's.
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
error). *PSNR*: median against the teacher's {teacher_main}-step image for the same prompt and seed.
*Top 5 of 100*: the older metric ({n_gen} training captions), kept for history. {intervals}
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
SAMPLER_LABELS = {name: s.label for name, s in schedule.SAMPLERS.items()}


def intervals_text(n_names):
    """The legend of every interval in the card's generation tables (training/quality.py)."""
    seeds = len(config.QUALITY_SEEDS)
    return (f"The intervals are 95% percentile intervals and the standard errors standard deviations of one "
            f"cluster bootstrap over names: {config.BOOTSTRAP:,} resamples of the {n_names} names with replacement, "
            f"each taking {'both' if seeds == 2 else 'all ' + in_words(seeds)} seeds' images of every name it picks "
            "(a name's images share their prompt, so they are not independent draws), and for KID the real images "
            "resampled on their own. "
            "Where two rows' intervals overlap (for KID: where the two differ by no more than twice their combined "
            "standard error), the card calls the two not measurably different at this sample size. That is a "
            "cautious test: the rows share their prompts and seeds, so a paired comparison could find a "
            "difference this one misses, and overlap never shows two rows equal.")


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
    trained in stages, how many each stage drew and learned from (its own paths only)."""
    stages = entry.get("training") or []
    if len(stages) < 2:
        return f"{entry['paths']:,} paths"
    each = " and ".join(f"{st['paths'] or 0:,}" for st in stages)
    return f"{entry['paths']:,} paths drawn in all, {each} in the stages below, each stage learning from its own"


def experiments_text(shipped_name=None):
    """Every student recipe tried, from training/experiments.json (`python3 -m training.quality
    NAME 1 2 4 8 --save`): the same held-out grid, so they compare with each other and the
    teacher's rows above."""
    log = json.loads(config.STUDENT_EXPERIMENTS.read_text()) if config.STUDENT_EXPERIMENTS.exists() else {}
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
    text = f" The same rows with the runtime on one thread instead of one per core: {each}."
    # The same generation timed twice in one bench run: how far apart rows can be by noise alone.
    grid25 = g.get(("teacher", 25))
    ddim25 = next((r for r in bench.get("samplers", []) if r["sampler"] == "ddim" and r["steps"] == 25), None)
    if grid25 and ddim25:
        text += (f" Differences of this size are within the run's noise: the same generation (teacher, DDIM, 25 "
                 f"steps) took {grid25['ms']:.0f} ms in one row and {ddim25['ms']:.0f} ms in another.")
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



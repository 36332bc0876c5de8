"""Measures the shipped (int8-weight) model and writes the model card, the sample galleries and
the metrics next to the exported files: the measurements are metrics.py's and quality.py's,
the card's templates card.py's."""
import json

import torch

from . import card, config, data, quality, shipped, train
from .export import manifest as manifest_file
from .export.student import load_student
from .export.teacher import load_models
from .metrics import (clip_metrics, generate, generation_captions, generation_metrics, image_embeddings, recall,
                      text_embeddings, vae_metrics)

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


def gallery(clip, vae, unet, wp, scale, path, steps=None, guidance=None):
    card.sheet(generate(clip, vae, unet, wp, scale, GALLERY_PROMPTS, [config.GALLERY_SEED] * len(GALLERY_PROMPTS), steps, guidance),
               GALLERY_PROMPTS, path)


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
    text = (out / "MODEL_CARD.md").read_text() if (out / "MODEL_CARD.md").exists() else ""
    found = re.search(r"On (.+?): VAE (\d+) min, then its decoder alone fine-tuned (\d+) min.*?CLIP (\d+) min", text,
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

    out = config.MODELS_OUT
    path = out / "metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {}
    if measure:
        d, wp, vae, clip, unet, scale, ustate = load_models()
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
    manifest = manifest_file.read(out)
    # The teacher's files whenever this runs: not the student's (written after this in `all`),
    # npm run bench's timings or the card itself.
    files = [p for p in out.rglob("*") if p.is_file() and p.name not in ("MODEL_CARD.md", "bench.json")
             and "student" not in p.name]
    mb = sum(p.stat().st_size for p in files) / 1e6
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files) / 1e6
    head = card.CARD.format(
        n_gallery=len(GALLERY_PROMPTS), steps=config.DEFAULT_STEPS, guidance=config.DEFAULT_GUIDANCE,
        size=config.IMAGE_SIZE, lat=config.LATENT_SIZE, lat_half=config.LATENT_SIZE // 2,
        gallery_seed=config.GALLERY_SEED, width=config.EMBED_DIM, n_base=len(d["base_labels"]), n_images=len(d["images"]),
        heldout_emoji=len(set(d["base_id"][d["heldout"]].tolist())), split_seed=config.SPLIT_SEED,
        n_heldout=int(d["heldout"].sum()), p_text=card.count(clip.text), p_image=card.count(clip.image),
        p_vae=card.count(vae), p_unet=card.count(unet), vocab=len(wp.vocab), ctx=config.CONTEXT_LENGTH,
        scale=scale, beta_start=config.BETA_START, beta_end=config.BETA_END, T=config.T, min_snr=config.MIN_SNR,
        drop=config.CAPTION_DROP, mb=mb, gz=gz, unet_batch=config.UNET_BATCH, unet_lr=card.short_float(config.UNET_LR),
        ema=config.EMA_DECAY, **teacher_training(out, ustate), **card.sampling_text(manifest),
        psnr=metrics["vae"]["psnr_db"], n_captions=metrics["clip"]["captions"], r1=metrics["clip"]["r@1"],
        r5=metrics["clip"]["r@5"], r10=metrics["clip"]["r@10"], n_gen=metrics["generation"]["captions"],
        last_seed=metrics["generation"]["captions"] - 1, g5=metrics["generation"]["top5_of_100"],
        g1=metrics["generation"]["top1_of_100"],
    )
    # The generated sections after the head (the student's, the samplers', ...) stay.
    old = (out / "MODEL_CARD.md").read_text() if (out / "MODEL_CARD.md").exists() else ""
    sections = old[old.index("<!-- "):] if "<!-- " in old else ""
    (out / "MODEL_CARD.md").write_text(head + ("\n" + sections if sections else ""))
    path.write_text(json.dumps(metrics, indent=1))

    # The card, gallery and metrics join the manifest's file list.
    manifest_file.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "gallery": "gallery.png",
                                     "metrics": "metrics.json"})
    manifest["metrics"] = metrics
    manifest_file.write(out, manifest)
    return metrics


@torch.no_grad()
def evaluate_samplers(measure=True):
    """The sampler x steps grid of the teacher (training/quality.py), its card section and
    metrics.json's "samplers" rows: `python3 -m training sampler_quality`."""
    out = config.MODELS_OUT
    d = data.load(config.LIMIT)
    manifest = manifest_file.read(out)
    guidance = manifest["models"]["teacher"]["guidance"]
    metrics = json.loads((out / "metrics.json").read_text())
    if measure:
        _, wp, clip, vae, teacher, scale = shipped.load(out)
        steps = (1, 2) if config.SMOKE else config.SAMPLER_STEPS
        metrics["samplers"] = quality.sampler_table(d, wp, clip, vae, teacher, scale, guidance, steps=steps,
                                                    log=lambda r: None)
    rows = metrics["samplers"]
    names, _, _, real = quality.heldout_prompts(d)
    n_names = len(names) // len(config.QUALITY_SEEDS)
    table = "\n".join(["| sampler | steps | U-Net runs | top 1 of all (%) | top 5 of all (%) | KID x1000 | "
                       "PSNR vs DDIM 25 (dB) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                       *map(card.sampler_row, rows)])
    section = card.SAMPLER_CARD.format(
        begin=card.SAMPLER_BEGIN, end=card.SAMPLER_END, guidance=guidance, n_images=len(names), n_prompts=n_names,
        n_seeds=len(config.QUALITY_SEEDS), table=table, same=card.same_pictures_text(rows),
        n_captions=len(d["base_labels"]), n_real=len(real), intervals=card.intervals_text(n_names))
    card.write_card_section(out / "MODEL_CARD.md", card.SAMPLER_BEGIN, card.SAMPLER_END, section)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    manifest_file.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "metrics": "metrics.json"})
    manifest["metrics"] = metrics
    manifest_file.write(out, manifest)
    return rows


@torch.no_grad()
def evaluate_student(measure=True):
    """The model x steps grid for both models, the student's gallery and its card section.
    With measure=False only the card is written again, from metrics.json's grid and the
    latest `npm run bench` (static/models/bench.json), which times every row in Chromium."""
    out = config.MODELS_OUT
    d = data.load(config.LIMIT)
    manifest = manifest_file.read(out)
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
                      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *map(card.fmt_row, rows)])
    n_names = len(names) // len(config.QUALITY_SEEDS)
    section = card.STUDENT_CARD.format(
        begin=card.CARD_BEGIN, end=card.CARD_END, n_gallery=len(GALLERY_PROMPTS), steps=steps, guidance=guidance,
        gallery_seed=config.GALLERY_SEED, step_range=f"{min(entry['step_counts'])} to {max(entry['step_counts'])}",
        step_list=card.or_list(entry["step_counts"]), t_top=config.T - 1, gain=card.noise_gain_at_top(),
        teacher_main=manifest["models"]["teacher"]["steps"], n_gen=metrics["generation"]["captions"],
        params=entry["params"], teacher_params=manifest["models"]["teacher"]["params"],
        g_lo=entry["guidance_range"][0], g_hi=entry["guidance_range"][1], teacher_steps=entry["teacher_steps"],
        paths_text=card.paths_text(entry), training=card.training_text(entry), grid=grid, n_images=len(names),
        n_prompts=n_names, n_seeds=len(config.QUALITY_SEEDS), seeds=" and ".join(map(str, config.QUALITY_SEEDS)),
        n_captions=len(d["base_labels"]), n_real=len(real), intervals=card.intervals_text(n_names),
        experiments=card.experiments_text(entry.get("checkpoint")), equal_runs=card.equal_runs_lines(rows),
        bench=(f"Times: `npm run bench`, {bench['browser']}, {bench['cores']} cores, {bench['date']}: prompt to "
               "pixels with the trace, warm medians." + card.threads_text(bench) + card.unet_run_text(bench)
               if bench else "Times: not measured yet (`npm run bench`)."),
    )
    card.write_card_section(out / "MODEL_CARD.md", card.CARD_BEGIN, card.CARD_END, section)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    manifest_file.add_files(manifest, out, {"model_card": "MODEL_CARD.md", "metrics": "metrics.json",
                                     "gallery_student": "gallery_student.png"})
    manifest["metrics"] = metrics
    manifest_file.write(out, manifest)
    return rows


@torch.no_grad()
def measure_grid(d, out, guidance):
    """Every row of the grid (training/quality.py), the old top-5-of-100 beside it, and the
    student's gallery."""
    _, wp, clip, vae, teacher, scale = shipped.load(out)
    student, _ = load_student(or_shipped=True)
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
    card.sheet(quality.student_images(clip, vae, student, wp, scale, GALLERY_PROMPTS, [config.GALLERY_SEED] * len(GALLERY_PROMPTS),
                                 steps, guidance), GALLERY_PROMPTS, out / "gallery_student.png")
    return rows

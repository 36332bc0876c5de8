"""Generation quality that does not saturate at this model's size, with intervals.

The generations are prompted with the names of the held-out emoji, two fixed seeds each (191
names x 2 seeds = 382 images in the full run). The names themselves are training captions
(the other vendor's image of each held-out emoji is trained on, data.py); only the images
are held out, so these are held-out images of trained names, not unseen prompts. Measured:
- caption retrieval among all base captions (top 1, top 5), by our CLIP;
- fidelity: PSNR of each image against the teacher's 25-step image for the same prompt and
  seed (the median);
- KID between the generated images and the real held-out images, on CLIP image features.

Every interval is a cluster bootstrap over names: the two seeds of a name share its prompt,
so their images are not independent draws, and a resample picks names with replacement and
takes both seeds of each (the real images, one per name, are resampled on their own). Top 1,
top 5 and the PSNR median get the 2.5th and 97.5th percentiles of config.BOOTSTRAP resamples, KID
the resamples' standard deviation as its standard error; the generator's seed is fixed, so
the same images give the same intervals.
"""
import math

import numpy as np
import torch

from . import config, schedule, train
from .metrics import image_embeddings, psnr, text_embeddings


def method():
    """How a row's intervals are computed; the caches below keep measured rows only under the
    same method, so a machine whose cache holds rows of another drops them and measures again."""
    return f"cluster bootstrap over names, {config.BOOTSTRAP} resamples, seed {config.BOOTSTRAP_SEED}"


def heldout_prompts(d):
    """(prompts, caption index of each among d['base_labels'], seeds, real held-out base images).
    Image i is name i // len(seeds) with seed seeds[i % len(seeds)] (config.QUALITY_SEEDS)."""
    name_seeds = config.QUALITY_SEEDS
    idx = np.nonzero(d["heldout"] & d["is_base"])[0]
    if len(idx) < 4:  # the smoke run's handful of images: any base images will do
        idx = np.nonzero(d["is_base"])[0][:6]
    base = [int(d["base_id"][i]) for i in idx]
    prompts = [d["base_labels"][b] for b in base for _ in name_seeds]
    targets = [b for b in base for _ in name_seeds]
    seeds = [s for _ in base for s in name_seeds]
    return prompts, torch.tensor(targets), seeds, train.to_unit(d["images"][idx])


def kernel(x, y):
    """KID's cubic polynomial kernel between two sets of features."""
    return (x @ y.T / x.shape[1] + 1) ** 3


def mmd(kaa, kbb, kab):
    """Unbiased MMD^2 from the kernel matrices within and between two sets."""
    m, n = len(kaa), len(kbb)
    return ((kaa.sum() - kaa.diag().sum()) / (m * (m - 1)) + (kbb.sum() - kbb.diag().sum()) / (n * (n - 1))
            - 2 * kab.mean()).item()


def kid(a, b):
    """Unbiased MMD^2 with the cubic polynomial kernel (Binkowski et al. 2018)."""
    return mmd(kernel(a, a), kernel(b, b), kernel(a, b))


def name_resamples(n_images, n_real):
    """The cluster bootstrap's draws: config.BOOTSTRAP pairs of (generated image indices, real
    image indices). Each draws the names with replacement and takes every seed's image of each
    picked name (image i is name i // len(config.QUALITY_SEEDS)); the real images are drawn on
    their own."""
    names = torch.arange(n_images).view(-1, len(config.QUALITY_SEEDS))
    g = torch.Generator().manual_seed(config.BOOTSTRAP_SEED)
    for _ in range(config.BOOTSTRAP):
        pick = torch.randint(0, len(names), (len(names),), generator=g)
        yield names[pick].reshape(-1), torch.randint(0, n_real, (n_real,), generator=g)


def percentile_interval(values, digits):
    return [round(float(np.percentile(values, 2.5)), digits), round(float(np.percentile(values, 97.5)), digits)]


@torch.no_grad()
def measure(images, reference, d, wp, clip, prompts=None):
    """Every metric for generated `images` (ordered as heldout_prompts) against the teacher's
    25-step `reference` images (None: the reference itself). Intervals: a cluster bootstrap
    over names (name_resamples), the same draws for every metric and every row."""
    names, targets, _, real = prompts or heldout_prompts(d)
    captions = text_embeddings(clip, wp, d["base_labels"])
    feats = image_embeddings(clip, images)
    sim = feats @ captions.T
    rank = (sim > sim.gather(1, targets[:, None])).sum(1)
    n = len(names)
    hit1, hit5 = (rank < 1).double(), (rank < 5).double()
    top1, top5 = int(hit1.sum()), int(hit5.sum())
    real_feats = image_embeddings(clip, real)
    # Unit vectors scaled so each coordinate has about unit variance, as the cubic kernel's
    # 1/d assumes (on unit vectors it would be nearly constant and KID nearly 0 for anything).
    feats, real_feats = feats * math.sqrt(feats.shape[1]), real_feats * math.sqrt(feats.shape[1])
    p = psnr(images, reference) if reference is not None else None
    # A resample's KID from the kernel matrices of the whole sets, indexed (the same numbers as
    # recomputing the kernel on the resampled features, without 1000 times the products).
    kgg, krr, kgr = kernel(feats, feats), kernel(real_feats, real_feats), kernel(feats, real_feats)
    boot1, boot5, kids, medians = [], [], [], []
    for i, j in name_resamples(n, len(real_feats)):
        boot1.append(100 * hit1[i].mean().item())
        boot5.append(100 * hit5[i].mean().item())
        kids.append(mmd(kgg[i][:, i], krr[j][:, j], kgr[i][:, j]))
        if p is not None:
            medians.append(p[i].median().item())
    out = {
        "images": n,
        "top1_of_all": round(100 * top1 / n, 1), "top1_ci": percentile_interval(boot1, 1),
        "top5_of_all": round(100 * top5 / n, 1), "top5_ci": percentile_interval(boot5, 1),
        "captions": len(d["base_labels"]),
        "kid_x1000": round(1000 * kid(feats, real_feats), 2), "kid_se_x1000": round(1000 * float(np.std(kids)), 2),
    }
    if p is not None:
        out["psnr_vs_teacher25_db"] = round(p.median().item(), 2)
        out["psnr_ci"] = percentile_interval(medians, 2)
    return out


def cached(path):
    """A quality cache: the reference images and the rows measured so far, the rows dropped
    if they were measured by another method() (the images stay valid)."""
    saved = torch.load(path) if path.exists() else {"rows": {}}
    if saved.get("method") != method():
        saved["rows"], saved["method"] = {}, method()
    return saved


@torch.no_grad()
def teacher_latents(clip, unet, wp, scale, prompts, seeds, steps, guidance, chunk=128):
    """The teacher's final latents for (prompt, seed) pairs, divided by the scale factor: what
    the VAE decoder reads."""
    out = []
    u = wp.encode("", config.CONTEXT_LENGTH)
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    for i in range(0, len(prompts), chunk):
        enc = [wp.encode(p, config.CONTEXT_LENGTH) for p in prompts[i : i + chunk]]
        cond = clip.text(torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))[0]
        uncond = clip.text(torch.tensor([u[0]]), torch.tensor([u[1]]))[0].expand_as(cond)
        noise = torch.cat([schedule.seeded_noise(s, (1, 4, 8, 8)) for s in seeds[i : i + chunk]])
        ddim = schedule.make_scheduler("ddim", abar, steps)
        out.append(schedule.sample(ddim, schedule.guided(unet, cond, uncond, guidance), noise) / scale)
    return torch.cat(out)


@torch.no_grad()
def teacher_images(clip, vae, unet, wp, scale, prompts, seeds, steps, guidance):
    return vae.decoder(teacher_latents(clip, unet, wp, scale, prompts, seeds, steps, guidance)).clamp(-1, 1)


@torch.no_grad()
def student_images(clip, vae, student, wp, scale, prompts, seeds, steps, guidance, chunk=128):
    from .distill import sample

    out = []
    for i in range(0, len(prompts), chunk):
        enc = [wp.encode(p, config.CONTEXT_LENGTH) for p in prompts[i : i + chunk]]
        cond = clip.text(torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))[0]
        noise = torch.cat([schedule.seeded_noise(s, (1, 4, 8, 8)) for s in seeds[i : i + chunk]])
        z = sample(student, cond, noise, steps, guidance)
        out.append(vae.decoder(z / scale).clamp(-1, 1))
    return torch.cat(out)


def table(d, wp, clip, vae, teacher, scale, student=None, teacher_steps=None, student_steps=None,
          guidance=config.DEFAULT_GUIDANCE, log=print):
    """Rows of the model x steps grid: U-Net runs per image and every metric (the step counts:
    config.TEACHER_GRID_STEPS and STUDENT_GRID_STEPS unless given)."""
    teacher_steps = teacher_steps or config.TEACHER_GRID_STEPS
    student_steps = student_steps or config.STUDENT_GRID_STEPS
    prompts = heldout_prompts(d)
    names, _, seeds, _ = prompts
    # The teacher does not change: its images and rows are computed once per guidance.
    cache = config.CACHE / f"quality-teacher-g{guidance}.pt"
    saved = cached(cache)
    if "reference" not in saved:
        saved["reference"] = teacher_images(clip, vae, teacher, wp, scale, names, seeds, 25, guidance)
        torch.save(saved, cache)
    reference = saved["reference"]
    rows = []
    for steps in teacher_steps:
        if steps not in saved["rows"]:
            imgs = reference if steps == 25 else teacher_images(clip, vae, teacher, wp, scale, names, seeds, steps,
                                                                guidance)
            saved["rows"][steps] = {"model": "teacher", "steps": steps, "unet_runs": 2 * steps,
                                    **measure(imgs, None if steps == 25 else reference, d, wp, clip, prompts)}
            torch.save(saved, cache)
        log(saved["rows"][steps])
        rows.append(saved["rows"][steps])
    torch.save(saved, cache)
    for steps in student_steps if student is not None else ():
        imgs = student_images(clip, vae, student, wp, scale, names, seeds, steps, guidance)
        row = {"model": "student", "steps": steps, "unet_runs": steps,
               **measure(imgs, reference, d, wp, clip, prompts)}
        log(row)
        rows.append(row)
    return rows


@torch.no_grad()
def sampler_images(clip, vae, unet, wp, scale, prompts, seeds, sampler, steps, guidance, chunk=128):
    """The teacher's images with one of the site's samplers (trailing timesteps), each row with
    its own seed for the starting noise and, for the stochastic samplers, the fresh noise."""
    u = wp.encode("", config.CONTEXT_LENGTH)
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    out = []
    for i in range(0, len(prompts), chunk):
        enc = [wp.encode(p, config.CONTEXT_LENGTH) for p in prompts[i : i + chunk]]
        cond = clip.text(torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))[0]
        uncond = clip.text(torch.tensor([u[0]]), torch.tensor([u[1]]))[0].expand_as(cond)
        rows = list(seeds[i : i + chunk])
        noise = torch.cat([schedule.seeded_noise(s, (1, 4, 8, 8)) for s in rows])
        scheduler = schedule.make_scheduler(sampler, abar, steps, seed=rows)
        z = schedule.sample(scheduler, schedule.guided(unet, cond, uncond, guidance), noise)
        out.append(vae.decoder(z / scale).clamp(-1, 1))
    return torch.cat(out)


def sampler_table(d, wp, clip, vae, teacher, scale, guidance=config.DEFAULT_GUIDANCE, samplers=None, steps=None,
                  log=print):
    """Rows of the sampler x steps grid for the teacher (every sampler of schedule.SAMPLERS at
    config.SAMPLER_STEPS unless given), every metric against the 25-step DDIM reference. Each
    row is saved as it is measured, so an interrupted run resumes."""
    samplers, steps = samplers or list(schedule.SAMPLERS), steps or config.SAMPLER_STEPS
    prompts = heldout_prompts(d)
    names, _, seeds, _ = prompts
    cache = config.CACHE / f"quality-samplers-g{guidance}.pt"
    saved = cached(cache)
    if "reference" not in saved:
        saved["reference"] = teacher_images(clip, vae, teacher, wp, scale, names, seeds, 25, guidance)
        torch.save(saved, cache)
    reference = saved["reference"]
    rows = []
    for sampler in samplers:
        for n in steps:
            key = f"{sampler}/{n}"
            if key not in saved["rows"]:
                same = sampler == "ddim" and n == 25
                imgs = reference if same else sampler_images(clip, vae, teacher, wp, scale, names, seeds, sampler, n,
                                                             guidance)
                saved["rows"][key] = {"sampler": sampler, "steps": n, "unet_runs": 2 * n,
                                      **measure(imgs, None if same else reference, d, wp, clip, prompts)}
                torch.save(saved, cache)
            log(saved["rows"][key])
            rows.append(saved["rows"][key])
    return rows


def describe(state):
    """A checkpoint's recipe in a line, from what it recorded."""
    from .distill import training_stages

    parts = []
    for st in training_stages(state):
        where = "GPU" if str(st["device"]).startswith("cuda") else "CPU"
        w = ":".join(f"{x:g}" for x in st["step_weights"])
        lr = f", lr {st['lr']:g}" if st["lr"] else ""
        parts.append(f"{st['minutes']:g} min {where}, {st['steps']:,} steps x {st['batch']}{lr}, "
                     f"steps 1/2/4/8 drawn {w}")
    head = f"{state.get('param', 'v')}-prediction" + ("" if state.get("step_input", True) else ", no step-count input")
    return head + "; " + "; then ".join(parts)


def main():
    """Quick look at a student checkpoint: python3 -m training.quality NAME [steps...] [--save]
    (--save records its rows in training/experiments.json, which the model card lists)."""
    import json
    import sys

    from . import data, distill, shipped

    torch.set_num_threads(1)
    args = [a for a in sys.argv[1:] if a != "--save"]
    name = args[0] if args else "student"
    d = data.load()
    _, wp, clip, vae, teacher, scale = shipped.load()
    student, state = None, None
    if name != "teacher":
        student, state = distill.load_student(name)
        print(name, "step", state["step"], "elapsed", round(state["elapsed"]))
    steps = tuple(int(s) for s in args[1:]) or (1, 2, 4)
    rows = table(d, wp, clip, vae, teacher, scale, student, student_steps=steps,
                 log=lambda r: print({k: r[k] for k in ("model", "steps", "top1_of_all", "top1_ci", "top5_of_all",
                                                        "kid_x1000", "kid_se_x1000")
                                      } | {"psnr": r.get("psnr_vs_teacher25_db")}))
    if "--save" in sys.argv and state is not None:
        path = config.STUDENT_EXPERIMENTS
        log = json.loads(path.read_text()) if path.exists() else {}
        log[name] = {"recipe": describe(state), "rows": [r for r in rows if r["model"] == "student"]}
        path.write_text(json.dumps(log, indent=1) + "\n")


if __name__ == "__main__":
    main()

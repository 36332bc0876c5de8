"""The measurements of the shipped (int8-weight) teacher's parts: VAE reconstruction, CLIP
retrieval and generation retrieval, and the helpers quality.py measures generations with
(PSNR, CLIP embeddings). card.py writes what they measure into the model card."""
import numpy as np
import torch
import torch.nn.functional as F

from . import config, schedule, train

GENERATION_CAPTIONS = 100  # the training captions the older generation metric prompts with


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
    """The teacher's images (DDIM, trailing timesteps) for prompts and seeds, in [-1, 1]."""
    steps = steps or config.DEFAULT_STEPS
    guidance = config.DEFAULT_GUIDANCE if guidance is None else guidance
    enc = [wp.encode(p, config.CONTEXT_LENGTH) for p in prompts]
    cond = clip.text(torch.tensor([e[0] for e in enc]), torch.tensor([e[1] for e in enc]))[0]
    u = wp.encode("", config.CONTEXT_LENGTH)
    uncond = clip.text(torch.tensor([u[0]]), torch.tensor([u[1]]))[0].expand_as(cond)
    shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
    noise = torch.cat([schedule.seeded_noise(s, shape) for s in seeds])
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    ddim = schedule.make_scheduler("ddim", abar, steps)
    z = schedule.sample(ddim, schedule.guided(unet, cond, uncond, guidance), noise)
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


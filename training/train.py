"""Training loops for the three learned parts: VAE, CLIP, then the U-Net.

Each loop runs for a wall-clock budget, checkpoints to training/.cache every few minutes
and resumes from there, so a long run can span several sessions. The hyperparameters are in
config.py; the device and torchrun's processes in devices.py.
"""
import json
import math
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import config, data, devices, schedule, tokenizer
from .clip import CLIP
from .unet import UNet
from .vae import VAE, load_vae, reconstruction_loss

def log(stage, **kv):
    line = json.dumps({"stage": stage, "time": round(time.time()), **kv})
    print(line, flush=True)
    with open(config.CACHE / f"{stage}.log", "a", encoding="utf-8") as f:
        f.write(line + "\n")


def to_unit(images):
    """uint8 [N, H, W, 3] -> float [N, 3, H, W] in [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def ckpt_path(name):
    return config.CACHE / (f"{name}-smoke.pt" if config.SMOKE else f"{name}.pt")


def save(path, **state):
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def load(path):
    return torch.load(path, map_location="cpu") if path.exists() else None


def cosine_lr(base, frac, warm=config.LR_WARMUP, floor=config.LR_FLOOR):
    if frac < warm:
        return base * frac / warm
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def train_split(d):
    return np.nonzero(~d["heldout"])[0]


def load_data(size=config.IMAGE_SIZE):
    """The data set (config.LIMIT base emoji), built and cached by the first process."""
    with devices.main_first():
        return data.load(config.LIMIT, size=size)


def build_tokenizer(d):
    path = config.CACHE / ("tokenizer-smoke.json" if config.SMOKE else "tokenizer.json")
    with devices.main_first():
        if not path.exists():
            texts = list(d["label"]) + [t for ts in d["tags"] for t in ts]
            tokenizer.save(tokenizer.train(texts), path, config.CONTEXT_LENGTH)
    return tokenizer.load(path)


def caption_bank(d, wp, idx, variants=None, seed=0):
    """`variants` tokenized captions per image: [N, variants, L] ids and masks."""
    rng = random.Random(seed)
    variants = variants or config.CAPTION_VARIANTS
    ids = np.zeros((len(idx), variants, config.CONTEXT_LENGTH), dtype=np.int64)
    mask = np.zeros_like(ids)
    for n, i in enumerate(idx):
        for v in range(variants):
            text = d["label"][i] if v == 0 else data.caption(d["label"][i], d["tags"][i], rng)
            ids[n, v], mask[n, v] = wp.encode(text, config.CONTEXT_LENGTH)
    return torch.from_numpy(ids), torch.from_numpy(mask)


def shift(x, pad=2):
    """Random translation by up to `pad` pixels, filling with white (CLIP augmentation)."""
    b, _, h, w = x.shape
    x = F.pad(x, (pad, pad, pad, pad), value=1.0)
    dx, dy = random.randint(0, 2 * pad), random.randint(0, 2 * pad)
    return x[:, :, dy : dy + h, dx : dx + w]


class LossOf(nn.Module):
    """A model whose loss is a method (VAE.loss, CLIP.loss) with that method as forward:
    DistributedDataParallel averages the gradients of what runs through forward."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *args):
        return self.model.loss(*args)


def run_loop(stage, model, opt, path, minutes, base_lr, step_fn, extra=None):
    """Shared loop: resume, time-based cosine LR, periodic checkpoints (process 0's)."""
    state = load(path)
    elapsed, step = 0.0, 0
    # Time spent in earlier rounds of this stage (a new round restarts the LR schedule).
    earlier = state.get("earlier_elapsed", 0.0) if state else 0.0
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        elapsed, step = state["elapsed"], state["step"]
        if extra:
            extra["load"](state)
    budget = minutes * 60
    start, last_save = time.time() - elapsed, time.time()
    while True:
        elapsed = devices.agree(time.time() - start)  # process 0's clock: all stop at the same step
        if elapsed >= budget:
            break
        for g in opt.param_groups:
            g["lr"] = cosine_lr(base_lr, elapsed / budget)
        metrics = step_fn(step, elapsed / budget)
        step += 1
        if devices.is_main() and step % config.LOG_EVERY == 0:
            log(stage, step=step, elapsed=round(elapsed), lr=opt.param_groups[0]["lr"], **metrics)
        if devices.is_main() and time.time() - last_save > config.CHECKPOINT_EVERY_S:
            state = {"model": model.state_dict(), "opt": opt.state_dict()}
            state.update(elapsed=time.time() - start, step=step, done=False, earlier_elapsed=earlier)
            if extra:
                state.update(extra["save"]())
            save(path, **state)
            last_save = time.time()
    devices.check_replicas(model)
    if devices.is_main():
        state = {"model": model.state_dict(), "opt": opt.state_dict()}
        state.update(elapsed=budget, step=step, done=True, earlier_elapsed=earlier)
        if extra:
            state.update(extra["save"]())
        save(path, **state)
        log(stage, step=step, done=True)


def psnr_01(mse):
    """PSNR on the [0, 1] scale of an MSE on the [-1, 1] scale (4x larger)."""
    return round(10 * math.log10(4 / mse.item()), 2)


def train_vae(minutes, name="vae"):
    device = devices.DEVICE
    d = load_data()
    x_all = to_unit(d["images"][train_split(d)]).to(device)
    model = VAE().to(device)
    loss_of = devices.wrap(LossOf(model))
    opt = torch.optim.AdamW(model.parameters(), lr=config.VAE_LR, weight_decay=0.0)
    batch = config.VAE_BATCH

    def step(*_):
        x = x_all[torch.randint(0, len(x_all), (batch,)).to(device)]
        loss, mse = loss_of(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": round(loss.item(), 5), "psnr": psnr_01(mse)}

    run_loop(name, model, opt, ckpt_path(name), minutes, config.VAE_LR, step)


def train_vae_decoder(minutes, name="vae_decoder"):
    """Fine-tunes only the VAE decoder (as SD's ft-MSE decoder): the encoder, and so the
    latent space the U-Net learns, stay exactly as they are. Mirrored and shifted copies of
    the images narrow the gap between training and held-out images."""
    device = devices.DEVICE
    d = load_data()
    x_all = to_unit(d["images"][train_split(d)]).to(device)
    vae = VAE()
    load_vae(vae, load(ckpt_path("vae"))["model"])
    vae.to(device)
    vae.encoder.requires_grad_(False)
    model = vae.decoder
    decoder = devices.wrap(model)
    opt = torch.optim.AdamW(model.parameters(), lr=config.VAE_DECODER_LR, weight_decay=0.0)
    batch = config.VAE_DECODER_BATCH

    def step(*_):
        x = x_all[torch.randint(0, len(x_all), (batch,)).to(device)]
        flip = (torch.rand(batch) < 0.5).to(device)
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        x = shift(x, pad=config.VAE_DECODER_SHIFT)
        with torch.no_grad():
            mean, logvar = vae.encoder(x)
            z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        loss, mse = reconstruction_loss(decoder(z), x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": round(loss.item(), 5), "psnr": psnr_01(mse)}

    run_loop(name, model, opt, ckpt_path(name), minutes, config.VAE_DECODER_LR, step)


def train_clip(minutes, name="clip"):
    device = devices.DEVICE
    d = load_data()
    wp = build_tokenizer(d)
    idx = train_split(d)
    x_all = to_unit(d["images"][idx]).to(device)
    base = torch.from_numpy(d["base_id"][idx]).to(device)
    ids, mask = caption_bank(d, wp, idx)
    model = CLIP(len(wp.vocab), config.CONTEXT_LENGTH, config.EMBED_DIM).to(device)
    loss_of = devices.wrap(LossOf(model))
    opt = torch.optim.AdamW(model.parameters(), lr=config.CLIP_LR, weight_decay=config.CLIP_WEIGHT_DECAY)
    batch = config.CLIP_BATCH

    def step(*_):
        b = torch.randint(0, len(x_all), (batch,))
        v = torch.randint(0, ids.shape[1], (batch,))
        bd = b.to(device)
        same = base[bd][:, None] == base[bd][None, :]
        loss = loss_of(shift(x_all[bd], pad=config.CLIP_SHIFT), ids[b, v].to(device), mask[b, v].to(device), same)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": round(loss.item(), 4), "scale": round(model.logit_scale.exp().item(), 2)}

    run_loop(name, model, opt, ckpt_path(name), minutes, config.CLIP_LR, step)


def load_frozen():
    """The trained VAE, CLIP and tokenizer, and the latent scale factor (on the CPU)."""
    d = load_data()
    wp = build_tokenizer(d)
    vae = VAE()
    load_vae(vae, load(ckpt_path("vae"))["model"])
    decoder = load(ckpt_path("vae_decoder"))
    if decoder:  # the fine-tuned decoder, where there is one
        vae.decoder.load_state_dict(decoder["model"])
    clip = CLIP(len(wp.vocab), config.CONTEXT_LENGTH, config.EMBED_DIM)
    clip.load_state_dict(load(ckpt_path("clip"))["model"])
    vae.eval()
    clip.eval()
    for p in list(vae.parameters()) + list(clip.parameters()):
        p.requires_grad_(False)
    return d, wp, vae, clip


def pick_captions(ids, mask, empty_ids, empty_mask, b):
    """One caption variant per image in `b`; one in ten left empty (config.CAPTION_DROP), so
    that the U-Net also learns the unconditional prediction classifier-free guidance needs."""
    v = torch.randint(0, ids.shape[1], (len(b),))
    tok, msk = ids[b, v].clone(), mask[b, v].clone()
    drop = torch.rand(len(b)) < config.CAPTION_DROP
    tok[drop], msk[drop] = empty_ids, empty_mask
    return tok, msk


def update(model, opt, loss, ema, n):
    """A clipped optimizer step, then the EMA copy follows (decay warming up to
    config.EMA_DECAY)."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.GRAD_CLIP)
    opt.step()
    decay = min(config.EMA_DECAY, (1 + n) / (10 + n))
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def latent_stats(vae, x):
    means, stds = [], []
    for chunk in x.split(256):
        m, lv = vae.encoder(chunk)
        means.append(m)
        stds.append((0.5 * lv).exp())
    mean, std = torch.cat(means), torch.cat(stds)
    # SD's convention: scale latents so they have unit variance for the diffusion model.
    scale = 1.0 / torch.cat([mean, mean + std * torch.randn_like(std)]).std().item()
    return mean, std, scale


def train_unet(minutes, name="unet"):
    device = devices.DEVICE
    d, wp, vae, clip = load_frozen()
    vae, clip = vae.to(device), clip.to(device)
    idx = train_split(d)
    mean, std, scale = latent_stats(vae, to_unit(d["images"][idx]).to(device))
    ids, mask = caption_bank(d, wp, idx, seed=1)
    empty_ids, empty_mask = (torch.tensor(v)[None] for v in wp.encode("", config.CONTEXT_LENGTH))
    abar = torch.from_numpy(schedule.alphas_cumprod()).float().to(device)
    snr = abar / (1 - abar)
    model = UNet(ctx_dim=config.EMBED_DIM).to(device)
    unet = devices.wrap(model)
    ema = UNet(ctx_dim=config.EMBED_DIM).to(device)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=config.UNET_LR, weight_decay=0.0)
    batch = config.UNET_BATCH

    def extra_save():
        return {"ema": ema.state_dict(), "scale": scale}

    def extra_load(state):
        ema.load_state_dict(state["ema"])

    def step(n, _progress):
        b = torch.randint(0, len(idx), (batch,))
        tok, msk = pick_captions(ids, mask, empty_ids, empty_mask, b)
        bd = b.to(device)
        with torch.no_grad():
            ctx = clip.text(tok.to(device), msk.to(device))[0]
            z = (mean[bd] + std[bd] * torch.randn_like(std[bd])) * scale
        t = torch.randint(0, config.T, (batch,)).to(device)
        noise = torch.randn_like(z)
        eps, _ = unet(schedule.add_noise(z, noise, t, abar), t.float(), ctx)
        w = snr[t].clamp(max=config.MIN_SNR) / snr[t]  # min-SNR weighting, epsilon prediction
        loss = (w * (eps - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        update(model, opt, loss, ema, n)
        return {"loss": round(loss.item(), 4)}

    run_loop(name, model, opt, ckpt_path(name), minutes, config.UNET_LR, step,
             extra={"save": extra_save, "load": extra_load})

"""Distils the shipped U-Net (the teacher) into a narrower student, for few-step sampling.

Stage "student": the student learns the teacher's noise prediction at every timestep, with
and without the prompt (knowledge distillation of the denoiser), so it starts where the
teacher is. Rounds that halve the number of DDIM steps (progressive distillation, Salimans
& Ho 2022) build on this checkpoint.
"""
import torch

from . import config, schedule
from .train import (caption_bank, ckpt_path, latent_stats, load, load_frozen, pick_captions,
                    run_loop, to_unit, train_split, update)
from .unet import UNet

STUDENT_CH = 48  # the teacher's 64: about half the parameters, so both fit the size budget
# Progressive rounds: the first learns from the "student" stage sampled in 16 DDIM steps
# (as good as 25 for this model), each later one from the round before.
ROUNDS = (8, 4)
STUDENT_GUIDANCE = 4.0


def load_teacher(smoke=False):
    """The U-Net that ships (kept apart from ongoing training as unet-shipped.pt)."""
    state = load(ckpt_path("unet-shipped", smoke)) or load(ckpt_path("unet", smoke))
    teacher = UNet(ctx_dim=config.EMBED_DIM)
    teacher.load_state_dict(state["ema"])
    teacher.eval().requires_grad_(False)
    return teacher, state["scale"]


def train_student(minutes, smoke=False, limit=None):
    d, wp, vae, clip = load_frozen(smoke, limit)
    idx = train_split(d)
    mean, std, _ = latent_stats(vae, to_unit(d["images"][idx]))
    teacher, scale = load_teacher(smoke)
    ids, mask = caption_bank(d, wp, idx, 2 if smoke else 16, seed=2)
    empty_ids, empty_mask = (torch.tensor(v)[None] for v in wp.encode("", config.CONTEXT_LENGTH))
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    model = UNet(ch=STUDENT_CH, ctx_dim=config.EMBED_DIM)
    ema = UNet(ch=STUDENT_CH, ctx_dim=config.EMBED_DIM)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.0)
    batch = 16 if smoke else 128

    def step(n):
        b = torch.randint(0, len(idx), (batch,))
        tok, msk = pick_captions(ids, mask, empty_ids, empty_mask, b)
        t = torch.randint(0, config.T, (batch,))
        with torch.no_grad():
            ctx = clip.text(tok, msk)[0]
            z = (mean[b] + std[b] * torch.randn_like(std[b])) * scale
            x_t = schedule.add_noise(z, torch.randn_like(z), t, abar)
            target, target_maps = teacher(x_t, t.float(), ctx)
        eps, maps = model(x_t, t.float(), ctx)
        # Match the teacher's noise, and (lightly) where it looks: the attention chapter
        # shows the student's maps too.
        loss = (eps - target).pow(2).mean() + 0.1 * (maps - target_maps).pow(2).sum(1).mean()
        update(model, opt, loss, ema, n)
        return {"loss": round(loss.item(), 5)}

    run_loop(
        "student", model, opt, ckpt_path("student", smoke), minutes, 3e-4, step,
        extra={"save": lambda: {"ema": ema.state_dict(), "scale": scale, "ch": STUDENT_CH},
               "load": lambda state: ema.load_state_dict(state["ema"])},
        smoke=smoke,
    )


def load_student(name, smoke=False):
    state = load(ckpt_path(name, smoke))
    if not state:
        raise SystemExit(f"no {name} checkpoint yet: train the stage before it first")
    net = UNet(ch=state.get("ch", STUDENT_CH), ctx_dim=config.EMBED_DIM)
    net.load_state_dict(state["ema"])
    return net, state["scale"]


def ddim_step(net, x, t, t_next, ctx, abar):
    """One DDIM step (eta 0) from t to t_next; t_next = -1 means all the way to x0."""
    tt = torch.full((x.shape[0],), float(t))
    eps, _ = net(x, tt, ctx)
    a, a_next = abar[t], (abar[t_next] if t_next >= 0 else torch.tensor(1.0))
    x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
    return a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps


def train_halving(steps, minutes, smoke=False, limit=None):
    """Progressive distillation (Salimans & Ho 2022): a student that samples in `steps` DDIM
    steps learns to land, in one step, where its teacher (the 2 x steps model) lands in two.
    The student starts as a copy of its teacher; the first teacher is the "student" stage."""
    d, wp, vae, clip = load_frozen(smoke, limit)
    idx = train_split(d)
    mean, std, _ = latent_stats(vae, to_unit(d["images"][idx]))
    before = "student" if steps == ROUNDS[0] else f"student{steps * 2}"
    teacher, scale = load_student(before, smoke)
    teacher.eval().requires_grad_(False)
    model, _ = load_student(before, smoke)
    ema, _ = load_student(before, smoke)
    ema.requires_grad_(False)
    ids, mask = caption_bank(d, wp, idx, 2 if smoke else 16, seed=3)
    empty_ids, empty_mask = (torch.tensor(v)[None] for v in wp.encode("", config.CONTEXT_LENGTH))
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    fine = schedule.timesteps(2 * steps)  # the teacher's grid; every other point is ours
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    batch = 16 if smoke else 64

    def step(n):
        b = torch.randint(0, len(idx), (batch,))
        tok, msk = pick_captions(ids, mask, empty_ids, empty_mask, b)
        i = int(torch.randint(0, steps, ()))  # one student step per batch: t is shared
        t, t_mid = fine[2 * i], fine[2 * i + 1]
        t_next = fine[2 * i + 2] if 2 * i + 2 < len(fine) else -1
        with torch.no_grad():
            ctx = clip.text(tok, msk)[0]
            z = (mean[b] + std[b] * torch.randn_like(std[b])) * scale
            x_t = schedule.add_noise(z, torch.randn_like(z), torch.full((batch,), t), abar)
            x_next = ddim_step(teacher, ddim_step(teacher, x_t, t, t_mid, ctx, abar), t_mid, t_next, ctx, abar)
            # The clean estimate that takes x_t to x_next in one DDIM step, as noise.
            a, s = abar[t].sqrt(), (1 - abar[t]).sqrt()
            a_n = abar[t_next].sqrt() if t_next >= 0 else torch.tensor(1.0)
            s_n = (1 - a_n**2).clamp(min=0).sqrt()
            x0 = (x_next - (s_n / s) * x_t) / (a_n - (s_n / s) * a)
            target = (x_t - a * x0) / s
        eps, _ = model(x_t, torch.full((batch,), float(t)), ctx)
        snr = abar[t] / (1 - abar[t])
        loss = (snr.clamp(max=5.0) / snr) * (eps - target).pow(2).mean()  # min-SNR-5, as the teacher
        update(model, opt, loss, ema, n)
        return {"loss": round(loss.item(), 5), "t": t}

    run_loop(
        f"student{steps}", model, opt, ckpt_path(f"student{steps}", smoke), minutes, 1e-4, step,
        extra={"save": lambda: {"ema": ema.state_dict(), "scale": scale, "ch": STUDENT_CH, "steps": steps},
               "load": lambda state: ema.load_state_dict(state["ema"])},
        smoke=smoke,
    )

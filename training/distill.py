"""Distils the shipped U-Net (the teacher) into a narrower student, for few-step sampling.

Stage "student": the student learns the teacher's noise prediction at every timestep, with
and without the prompt (knowledge distillation of the denoiser), so it starts where the
teacher is. Rounds that halve the number of DDIM steps (progressive distillation, Salimans
& Ho 2022) build on this checkpoint: the first learns from the teacher itself.
"""
import torch

from . import config, schedule
from .train import (caption_bank, ckpt_path, latent_stats, load, load_frozen, pick_captions,
                    run_loop, to_unit, train_split, update)
from .unet import UNet

STUDENT_CH = 48  # the teacher's 64: about half the parameters, so both fit the size budget
# Progressive rounds, by the student's number of steps: the first learns from the teacher
# sampled in twice as many (8: nearly as good as its 25 on this model), each later one from
# the round before. One round was enough here: rounds from a student compound its errors.
ROUNDS = (4,)
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


def train_halving(steps, minutes, smoke=False, limit=None):
    """Progressive distillation (Salimans & Ho 2022): a student that samples in `steps` guided
    DDIM steps learns to land, in one step, where its teacher lands in two (the shipped
    teacher for the first round, the round before for later ones). It starts from the
    "student" stage, or as a copy of the round before."""
    d, wp, vae, clip = load_frozen(smoke, limit)
    idx = train_split(d)
    mean, std, _ = latent_stats(vae, to_unit(d["images"][idx]))
    if steps == ROUNDS[0]:
        # The shipped teacher is nearly as good in 8 steps as in 25 on this model, so the
        # first round learns from it directly; the student starts from the "student" stage.
        teacher, scale = load_teacher(smoke)
        before = "student"
    else:
        before = f"student{steps * 2}"
        teacher, scale = load_student(before, smoke)
    teacher.eval().requires_grad_(False)
    model, _ = load_student(before, smoke)
    ema, _ = load_student(before, smoke)
    ema.requires_grad_(False)
    ids, mask = caption_bank(d, wp, idx, 2 if smoke else 16, seed=3)
    empty_ids, empty_mask = (torch.tensor(v)[None] for v in wp.encode("", config.CONTEXT_LENGTH))
    abar = torch.from_numpy(schedule.alphas_cumprod()).float()
    fine = schedule.timesteps(2 * steps)  # the teacher's grid; every other point is ours
    own = schedule.ddim_coefficients(abar, steps)  # the student's grid, as it samples

    def move(x, eps, t, t_next):
        return schedule.ddim_update(x, eps, float(abar[t]), float(abar[t_next]) if t_next >= 0 else 1.0)[0]

    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    batch = 8 if smoke else 32

    empty = clip.text(empty_ids, empty_mask)[0].expand(batch, -1, -1)
    w = STUDENT_GUIDANCE

    def step(n):
        b = torch.randint(0, len(idx), (batch,))
        tok, msk = pick_captions(ids, mask, empty_ids, empty_mask, b)
        i = int(torch.randint(0, steps, ()))  # one student step per batch: t is shared
        t, t_mid = fine[2 * i], fine[2 * i + 1]
        t_next = fine[2 * i + 2] if 2 * i + 2 < len(fine) else -1
        with torch.no_grad():
            ctx = clip.text(tok, msk)[0]
            if i > 0 and n % 2:
                # Half the time x_t is where the student's own steps from noise take it, so
                # it also learns to recover from its own errors (what sampling will feed it).
                x_t = torch.randn_like(mean[b])
                for t_k, a_k, a_next in own[:i]:
                    g = schedule.guided_eps(ema, x_t, t_k, ctx, empty, w)[0]
                    x_t = schedule.ddim_update(x_t, g, a_k, a_next)[0]
            else:
                z = (mean[b] + std[b] * torch.randn_like(std[b])) * scale
                x_t = schedule.add_noise(z, torch.randn_like(z), torch.full((batch,), t), abar)
            # Two guided steps of the teacher, as the site samples (the dropped captions'
            # guided noise is the unconditional one: that branch learns its own landing).
            g, cond_t, uncond_t = schedule.guided_eps(teacher, x_t, t, ctx, empty, w)
            x_mid = move(x_t, g, t, t_mid)
            x_next = move(x_mid, schedule.guided_eps(teacher, x_mid, t_mid, ctx, empty, w)[0], t_mid, t_next)
            # The clean estimate that takes x_t to x_next in one DDIM step, as noise.
            a, s = abar[t].sqrt(), (1 - abar[t]).sqrt()
            a_n = abar[t_next].sqrt() if t_next >= 0 else torch.tensor(1.0)
            s_n = (1 - a_n**2).clamp(min=0).sqrt()
            x0 = (x_next - (s_n / s) * x_t) / (a_n - (s_n / s) * a)
            target = (x_t - a * x0) / s
        g, cond, uncond = schedule.guided_eps(model, x_t, t, ctx, empty, w)
        # The guided noise carries the target; many (cond, uncond) pairs give the same guided
        # noise, so both branches stay near the teacher's own (the site shows them).
        anchor = (cond - cond_t).pow(2).mean() + (uncond - uncond_t).pow(2).mean()
        snr = abar[t] / (1 - abar[t])
        loss = (snr.clamp(max=5.0) / snr) * ((g - target).pow(2).mean() + 0.1 * anchor)  # min-SNR-5
        update(model, opt, loss, ema, n)
        return {"loss": round(loss.item(), 5), "t": t}

    run_loop(
        f"student{steps}", model, opt, ckpt_path(f"student{steps}", smoke), minutes, 1e-4, step,
        extra={"save": lambda: {"ema": ema.state_dict(), "scale": scale, "ch": STUDENT_CH, "steps": steps},
               "load": lambda state: ema.load_state_dict(state["ema"])},
        smoke=smoke,
    )

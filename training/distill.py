"""The distilled student: the shipped teacher's U-Net, taught to draw in 1, 2, 4 or 8 steps.

What it learns from is the teacher's guided DDIM sampling (classifier-free guidance: two
U-Net runs per step), written down as paths from noise on the teacher's 16-step grid
(make_trajectories). What changes:

- Guidance is folded in (Meng et al. 2023): the guidance scale is an input, embedded like the
  timestep, so a step is one run at batch 1, not two.
- The output is v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans & Ho 2022, section 4), not
  the noise: at t = 999, sqrt(abar) = 0.068, and an error in a predicted noise is amplified
  about 15 times in the clean image it implies; v-prediction has no such blow-up.
- One student step, asked for N steps, learns to land where the teacher lands after 16 / N
  of its steps (the grids are nested, so every jump starts and ends on a point of a path).
  The step count is an input too (as in shortcut models, Frans et al. 2024), since the best
  jump from t = 999 differs between a 1-step and a 2-step picture; one file serves all four.
- For the second and later steps, half the batches start where the student's own earlier
  steps from the path's noise lead, not on the teacher's path, and learn to land back on it:
  sampling feeds the student its own errors (the exposure gap).

It starts from the teacher's weights at the teacher's width. The new inputs' embedding starts
at zero, so the copy first outputs what the teacher outputs, but reads it as v, not as the noise:
the teacher's features are the starting point, not its predictions.
"""
import torch

from . import config, devices, schedule, shipped
from .student import Student
from .train import caption_bank, ckpt_path, load, load_data, run_loop, train_split, update


def training_stages(state):
    """How a student checkpoint came to be, oldest stage first (a fine-tune names the
    checkpoint it started from): device, steps, batch, minutes, paths seen."""
    prior = training_stages(load(ckpt_path(state["init"]))) if state.get("init") else []
    return prior + [{"device": state.get("device", "cpu"), "steps": state["step"], "batch": state.get("batch"),
                     "lr": state.get("lr"), "minutes": round(state["elapsed"] / 60, 1),
                     "paths": state.get("paths"), "path_minutes": state.get("path_minutes"),
                     "step_weights": state.get("step_weights", list(config.STEP_WEIGHTS))}]


def load_student(name, device="cpu"):
    state = load(ckpt_path(name))
    if not state:
        raise SystemExit(f"no {name} checkpoint yet: run `python3 -m training student` first")
    net = Student(state.get("param", "v"), state.get("step_input", True))
    net.load_state_dict(state["ema"])
    return net.to(device).eval(), state


@torch.no_grad()
def sample(student, ctx, noise, steps, guidance, trace=None):
    """The student's DDIM sampling: one run per step, at batch 1 per image. Not schedule.sample:
    a v-predicting student gives x0 and the noise directly, and this DDIM step uses both as
    predicted (the exported graph, which the site and the golden files run, gives the noise
    alone and DDIM derives x0 from it: the same step, rounded differently)."""
    b = noise.shape[0]
    w = torch.full((b,), float(guidance), device=noise.device)
    n = torch.full((b,), float(steps), device=noise.device)
    ddim = schedule.make_scheduler("ddim", student.abar.cpu().double().numpy(), steps)
    x = noise.clone()
    for t, a_t, a_prev in ddim.plan:
        x0, eps = student.predict(x, torch.full((b,), t, device=x.device), ctx, w, n)
        x_next = a_prev**0.5 * x0 + (1 - a_prev) ** 0.5 * eps
        if trace is not None:
            trace.append({"t": t, "x": x, "eps": eps, "x0": x0})
        x = x_next
    return x


def shard_dir():
    return config.CACHE / ("trajectories-smoke" if config.SMOKE else "trajectories")


@torch.no_grad()
def make_trajectories(minutes, batch=None):
    """The teacher's guided DDIM paths from noise on its 16-step grid, for random training
    captions (one in ten empty) and guidance scales: every latent along the way and the
    end. Each student step, whatever its step count, then has its target in a path (the
    grids are nested), and training runs no teacher. Written in shards; resumable. Under
    torchrun each process writes every N-th shard."""
    import time

    device = devices.DEVICE
    d = load_data()
    with devices.main_first():  # the first read caches the shipped weights for the others
        _, wp, clip, _, teacher, _ = shipped.load()
    clip, teacher = clip.to(device), teacher.to(device)
    idx = train_split(d)
    ids, mask = caption_bank(d, wp, idx, seed=4)
    empty_ids, empty_mask = (torch.tensor(v)[None] for v in wp.encode("", config.CONTEXT_LENGTH))
    empty = clip.text(empty_ids.to(device), empty_mask.to(device))[0]
    abar = torch.from_numpy(schedule.alphas_cumprod()).float().to(device)
    out = shard_dir()
    out.mkdir(parents=True, exist_ok=True)
    batch = batch or config.TRAJECTORY_BATCH

    def next_free(k):  # this process's next shard number not written yet
        while (out / f"shard-{k:05d}.pt").exists():
            k += devices.WORLD
        return k

    start, k = time.time(), next_free(devices.RANK)
    while time.time() - start < minutes * 60:
        t0 = time.time()
        gen = torch.Generator().manual_seed(1000 + k)  # each shard reproducible on its own
        b = torch.randint(0, len(idx), (batch,), generator=gen)
        v = torch.randint(0, ids.shape[1], (batch,), generator=gen)
        tok, msk = ids[b, v].clone(), mask[b, v].clone()
        drop = torch.rand(batch, generator=gen) < config.CAPTION_DROP
        tok[drop], msk[drop] = empty_ids, empty_mask
        lo, hi = config.GUIDANCE_RANGE
        w = torch.rand(batch, generator=gen) * (hi - lo) + lo
        x = torch.randn(batch, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE, generator=gen)
        ctx = clip.text(tok.to(device), msk.to(device))[0]
        x, wd = x.to(device), w.to(device)
        path = [x]
        grid = schedule.timesteps(config.TEACHER_STEPS)
        # DDIM in the device's float32 (abar's entries stay tensors there), not schedule.sample,
        # whose schedulers step with Python floats: a path is a batch of 1024 on a GPU.
        for j, t in enumerate(grid):
            eps = schedule.guided_eps(teacher, x, t, ctx, empty.expand(batch, -1, -1), wd)[0]
            a_prev = abar[grid[j + 1]] if j + 1 < len(grid) else torch.tensor(1.0, device=device)
            x = schedule.ddim_update(x, eps, abar[t], a_prev)[0]
            path.append(x)
        # Written under another name, then renamed: a trainer reading the folder meanwhile
        # never sees half a shard.
        tmp = out / f"shard-{k:05d}.tmp"
        torch.save({"ids": tok, "mask": msk, "guidance": w, "path": torch.stack(path, 1).cpu(),
                    "seconds": time.time() - t0}, tmp)
        tmp.replace(out / f"shard-{k:05d}.pt")
        k = next_free(k + devices.WORLD)
        if devices.is_main():
            print(f"trajectories: shard {k} ({k * batch} paths), {time.time() - start:.0f} s", flush=True)


def train_student(minutes, batch=None, lr=None, param="v", step_input=True, name="student", init=None,
                  step_weights=None):
    """One student step, asked for N steps, learns the jump the teacher makes in 16 / N of its
    steps, along the teacher's own paths (make_trajectories). `init`: start from another
    student checkpoint's EMA weights (a fine-tune) instead of the teacher's."""
    import random

    device = devices.DEVICE
    with devices.main_first():  # the first read caches the shipped weights for the others
        _, wp, clip, _, teacher, scale = shipped.load()
    clip, teacher = clip.to(device), teacher.to(device)
    model = Student(param, step_input).to(device)
    if init:
        model.load_state_dict(load_student(init)[0].state_dict())
    else:
        model.net.load_state_dict(teacher.state_dict(), strict=False)  # the teacher's weights
    student = devices.wrap(model)
    weights = torch.tensor(step_weights or config.STEP_WEIGHTS, dtype=torch.float)
    ema = Student(param, step_input).to(device)
    ema.load_state_dict(model.state_dict())
    ema.requires_grad_(False)
    lr = lr or config.STUDENT_LR
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    batch = batch or config.STUDENT_BATCH
    abar = model.abar
    grid = schedule.timesteps(config.TEACHER_STEPS)
    shards = {}

    def paths():
        # Shards written so far (the generator may still be running beside this).
        for p in sorted(shard_dir().glob("shard-*.pt")):
            if p.name not in shards:
                shards[p.name] = torch.load(p)
        if not shards:
            raise SystemExit("no teacher paths yet: run `python3 -m training trajectories` first")
        return list(shards.values())

    def step(n, progress):
        if n % 50 == 0 or not shards:
            paths()
        pool = list(shards.values())
        sh = random.Random(n).choice(pool) if len(pool) > 1 else pool[0]
        b = torch.randint(0, len(sh["ids"]), (batch,))
        N = config.STUDENT_STEP_COUNTS[int(torch.multinomial(weights, 1))]
        i = int(torch.randint(0, N, ()))  # one student step per batch: t is shared
        k = config.TEACHER_STEPS // N
        t = grid[i * k]
        t_next = grid[(i + 1) * k] if (i + 1) * k < len(grid) else -1
        x_t = sh["path"][b, i * k].to(device)
        x_next = sh["path"][b, (i + 1) * k].to(device)
        w = sh["guidance"][b].to(device)
        steps_in = torch.full((batch,), float(N), device=device)
        with torch.no_grad():
            ctx = clip.text(sh["ids"][b].to(device), sh["mask"][b].to(device))[0]
            if i > 0 and n % 2:
                # Half the time x_t is where the student's own first i steps from the same
                # noise lead, not the teacher's point: sampling feeds it its own errors, and
                # the target (the teacher's next point) pulls it back onto the teacher's path.
                x_t = sh["path"][b, 0].to(device)
                for j in range(i):
                    x0_j, eps_j = ema.predict(x_t, torch.full((batch,), grid[j * k], device=device), ctx, w,
                                              steps_in)
                    a_j = abar[grid[(j + 1) * k]]
                    x_t = a_j.sqrt() * x0_j + (1 - a_j).sqrt() * eps_j
            # The clean image that takes x_t to x_next in one DDIM step.
            a, s = abar[t].sqrt(), (1 - abar[t]).sqrt()
            a_n = abar[t_next].sqrt() if t_next >= 0 else torch.tensor(1.0, device=device)
            s_n = (1 - a_n**2).clamp(min=0).sqrt()
            target = (x_next - (s_n / s) * x_t) / (a_n - (s_n / s) * a)
        out, maps = student(x_t, torch.full((batch,), float(t), device=device), ctx, w, steps_in)
        x0 = a * x_t - s * out if param == "v" else (x_t - s * out) / a
        snr = abar[t] / (1 - abar[t])
        # Truncated-SNR weighting of the clean-image error (Salimans & Ho 2022): max(SNR, 1).
        loss = snr.clamp(min=1.0) * (x0 - target).pow(2).mean()
        if n % config.ATTENTION_EVERY == 0:
            # The attention figure shows the student's maps too: keep them near the teacher's.
            with torch.no_grad():
                _, teacher_maps = teacher(x_t, torch.full((batch,), float(t), device=device), ctx)
            loss = loss + config.ATTENTION_WEIGHT * (maps - teacher_maps).pow(2).sum(1).mean()
        update(model, opt, loss, ema, n)
        return {"loss": round(loss.item(), 5), "N": N, "t": t, "paths": sum(len(v["ids"]) for v in shards.values())}

    # The checkpoint records the batch of a whole step: under torchrun, `batch` per process.
    run_loop(
        name, model, opt, ckpt_path(name), minutes, lr, step,
        extra={"save": lambda: {"ema": ema.state_dict(), "scale": scale, "param": param, "step_input": step_input,
                                "batch": batch * devices.WORLD, "lr": lr, "device": str(device), "init": init,
                                "step_weights": weights.tolist(),
                                "paths": sum(len(v["ids"]) for v in shards.values())},
               "load": lambda state: ema.load_state_dict(state["ema"])},
    )

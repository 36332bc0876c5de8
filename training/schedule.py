"""The noise schedule, the seeded Gaussian generator and the five samplers (one registry,
SAMPLERS, and one sampling loop, sample()).

Everything here is mirrored in src/lib/pipeline/ and tied to it by the golden tensors.
"""
import json
import math
from pathlib import Path

import numpy as np
import torch

from . import config


def alphas_cumprod():
    """abar_t for t = 0..T-1 (float64), from SD v1's scaled-linear betas."""
    betas = np.linspace(config.BETA_START**0.5, config.BETA_END**0.5, config.T) ** 2
    return np.cumprod(1.0 - betas)


def add_noise(x0, noise, t, abar):
    """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, for a batch of integer timesteps."""
    a = abar[t].view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


# --- Seeded Gaussian generator -------------------------------------------------------
# xoshiro128** seeded by splitmix32; 53-bit uniforms from two draws; Marsaglia's polar
# method with a logarithm built from + - * / only, so that JavaScript and Python, whose
# libm logarithms may differ in the last bit, produce identical float32 values.

M32 = 0xFFFFFFFF
LN2 = 0.6931471805599453


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def _splitmix32(state):
    state = (state + 0x9E3779B9) & M32
    z = state
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return state, z ^ (z >> 16)


def portable_log(x):
    """Natural log of a positive float with basic arithmetic only (error < 1e-15)."""
    e = 0
    while x >= 2.0:
        x /= 2.0
        e += 1
    while x < 1.0:
        x *= 2.0
        e -= 1
    y = (x - 1.0) / (x + 1.0)  # ln(x) = 2 atanh(y), y in [0, 1/3)
    y2 = y * y
    term, total, k = y, 0.0, 1
    while k < 60:
        total += term / k
        term *= y2
        k += 2
    return 2.0 * total + e * LN2


class Gaussian:
    def __init__(self, seed):
        s = seed & M32
        self.s = []
        for _ in range(4):
            s, z = _splitmix32(s)
            self.s.append(z)

    def next_u32(self):
        s = self.s
        result = (_rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    def uniform(self):
        """A float64 in [0, 1) with 53 random bits."""
        a = self.next_u32() >> 5
        b = self.next_u32() >> 6
        return (a * 67108864.0 + b) / 9007199254740992.0

    def normals(self, n):
        out = np.empty(n, dtype=np.float32)
        i = 0
        while i < n:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if s >= 1.0 or s == 0.0:
                continue
            f = (-2.0 * portable_log(s) / s) ** 0.5
            out[i] = u * f
            if i + 1 < n:
                out[i + 1] = v * f
            i += 2
        return out


def seeded_noise(seed, shape):
    return torch.from_numpy(Gaussian(seed).normals(int(np.prod(shape))).reshape(shape))


# --- Samplers ----------------------------------------------------------------------------
# Five schedulers with the shape of diffusers': built from the noise schedule (abar), a
# timestep spacing and, for those that add fresh noise, the generation's seed; then
# set_timesteps(steps), and for step i: scale_model_input(x, i) before the U-Net,
# step(eps, i, x) -> (x_next, x0, coefficients) after it; add_noise(x0, noise, i) puts a
# clean latent at step i's noise level (image-to-image, inpainting). One loop, sample(),
# drives them all. Mirrored one to one by src/lib/pipeline/scheduler.ts; the golden files
# (export/golden.py) tie the two together. The schedulers use abar as given: NumPy float64
# or a float32 tensor, each read with float(abar[t]).


SPACINGS = ("trailing", "leading")


def timesteps(steps, spacing="trailing"):
    """Which of the T training timesteps a run of `steps` visits, noisiest first.

    'trailing' (ours, the default): evenly from the top, t = T-1, where the latent is (almost)
    pure noise: 999, 959, ..., 39 for 25 steps.
    'leading' (Stable Diffusion v1's shipped scheduler config: timestep_spacing "leading",
    steps_offset 1): multiples of T // steps, plus 1: 961, 921, ..., 1 for 25 steps, never 999.
    (diffusers' DPMSolverMultistepScheduler alone divides by steps + 1 there; we do not.)"""
    if spacing == "leading":
        ratio = config.T // steps
        return [(steps - 1 - i) * ratio + 1 for i in range(steps)]
    if spacing != "trailing":
        raise ValueError(f"unknown timestep spacing {spacing!r}")
    ratio = config.T / steps
    return [int(round(config.T - i * ratio)) - 1 for i in range(steps)]


def step_noise_seed(seed, i):
    """The seed of the fresh noise that step i (from 0) of a stochastic sampler adds:
    (seed + 1 + i) mod 2^32. The starting noise has the generation's seed itself, so no step
    repeats it; the same seed gives the same image."""
    return (seed + 1 + i) & M32


def fresh_noise(seed, i, shape):
    """Step i's fresh noise for a batch: `seed` is the generation's seed (the site's batch of
    one) or a list with one seed per row (the evaluation's batches, each row as the site
    would draw it)."""
    if isinstance(seed, int):
        return seeded_noise(step_noise_seed(seed, i), shape)
    return torch.cat([seeded_noise(step_noise_seed(s, i), (1, *shape[1:])) for s in seed])


def ddim_update(x, eps, a_t, a_prev):
    """One DDIM step (eta 0) from abar a_t to a_prev (1.0: all the way); returns (x_prev, x0)."""
    x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t**0.5
    return a_prev**0.5 * x0 + (1 - a_prev) ** 0.5 * eps, x0


class Scheduler:
    """What the five share: timesteps from the spacing, the U-Net's input as is, and noise
    added as the forward process adds it, x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise."""

    name = None
    label = None  # as the model card names it
    settings = None  # the card's note on its settings, if any
    init_noise_sigma = 1.0  # the starting noise's scale

    def __init__(self, abar, spacing="trailing", seed=0):
        self.abar, self.spacing, self.seed = abar, spacing, seed
        self.timesteps = []

    def set_timesteps(self, steps):
        self.timesteps = timesteps(steps, self.spacing)

    def scale_model_input(self, x, i):
        return x

    def add_noise(self, x0, noise, i):
        """x0 at step i's noise level; clean after the last step."""
        if i >= len(self.timesteps):
            return x0.clone()
        a = float(self.abar[self.timesteps[i]])
        return a**0.5 * x0 + (1 - a) ** 0.5 * noise

    def step(self, eps, i, x):
        raise NotImplementedError


class DDIM(Scheduler):
    """DDIM, eta 0 (Song et al. 2020; diffusers' DDIMScheduler): from abar_t to abar_prev,
        x0 = (x - sqrt(1 - abar_t) eps) / sqrt(abar_t)
        x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps
    The last step goes to abar = 1, a clean latent, with our trailing spacing (diffusers'
    set_alpha_to_one=True), and to abar_0 with SD v1's leading one (set_alpha_to_one=False)."""

    name, label = "ddim", "DDIM"
    settings = "eta 0"

    def set_timesteps(self, steps):
        super().set_timesteps(steps)
        ts = self.timesteps
        final = float(self.abar[0]) if self.spacing == "leading" else 1.0
        # (t, abar_t, abar_prev) per step
        self.plan = [(t, float(self.abar[t]), float(self.abar[ts[i + 1]]) if i + 1 < len(ts) else final)
                     for i, t in enumerate(ts)]

    def step(self, eps, i, x):
        t, a_t, a_prev = self.plan[i]
        x_next, x0 = ddim_update(x, eps, a_t, a_prev)
        return x_next, x0, {"t": t, "alpha_bar": a_t, "alpha_bar_prev": a_prev}


class Euler(Scheduler):
    """diffusers' EulerDiscreteScheduler, no noise added. It works on x / sqrt(abar), whose
    noise level is sigma = sqrt((1 - abar) / abar): the starting noise is scaled up to
    sigma_0, the U-Net sees x / sqrt(sigma^2 + 1) (the scale it was trained on), and a step
    is an Euler step of dx / dsigma = eps down to the next sigma (0 after the last)."""

    name, label = "euler", "Euler"

    def set_timesteps(self, steps):
        super().set_timesteps(steps)
        self.sigmas = [float(((1 - self.abar[t]) / self.abar[t]) ** 0.5) for t in self.timesteps] + [0.0]
        self.init_noise_sigma = (self.sigmas[0] ** 2 + 1) ** 0.5

    def scale_model_input(self, x, i):
        return x / (self.sigmas[i] ** 2 + 1) ** 0.5

    def add_noise(self, x0, noise, i):
        return x0 + noise * self.sigmas[i] if i < len(self.timesteps) else x0.clone()

    def step(self, eps, i, x):
        sigma, sigma_next = self.sigmas[i], self.sigmas[i + 1]
        return x + eps * (sigma_next - sigma), x - sigma * eps, {"t": self.timesteps[i], "sigma": sigma,
                                                                  "sigma_next": sigma_next}


class EulerAncestral(Euler):
    """diffusers' EulerAncestralDiscreteScheduler (eta 1). Each step splits the next level
    sigma_next into a part reached deterministically, sigma_down, and a part of fresh noise,
    sigma_up, with sigma_down^2 + sigma_up^2 = sigma_next^2: an Euler step down to sigma_down,
    then noise of size sigma_up added back. The last step goes to sigma 0 and adds none.
    Timesteps, sigmas, input scaling and add_noise are Euler's; only the step differs."""

    name, label = "euler_a", "Euler ancestral"

    def step(self, eps, i, x):
        sigma, sigma_next = self.sigmas[i], self.sigmas[i + 1]
        sigma_up = (sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2) ** 0.5
        sigma_down = (sigma_next**2 - sigma_up**2) ** 0.5
        x0 = x - sigma * eps
        # diffusers' derivative (x - x0) / sigma is eps itself for a noise-predicting U-Net.
        noise_seed = step_noise_seed(self.seed, i) if isinstance(self.seed, int) else None
        z = fresh_noise(self.seed, i, tuple(x.shape))
        x_next = x + eps * (sigma_down - sigma) + z * sigma_up
        return x_next, x0, {"t": self.timesteps[i], "sigma": sigma, "sigma_next": sigma_next,
                            "sigma_up": sigma_up, "sigma_down": sigma_down, "dt": sigma_down - sigma,
                            "noise_seed": noise_seed}


class DDPM(Scheduler):
    """diffusers' DDPMScheduler (Ho et al. 2020; variance_type "fixed_small", no clipping: SD's
    latents are not in [-1, 1]). On its own timesteps, from abar_t to abar_prev (1 after the
    last): x0 from the noise estimate, then a draw from q(x_prev | x_t, x0), the Gaussian
    posterior of the forward process:
        beta = 1 - abar_t / abar_prev
        mean = sqrt(abar_prev) beta / (1 - abar_t) x0 + sqrt(1 - beta) (1 - abar_prev) / (1 - abar_t) x_t
        x_prev = mean + sigma z,  sigma^2 = (1 - abar_prev) / (1 - abar_t) beta,  z fresh noise.
    The last step's sigma is 0 (diffusers clamps its variance to 1e-20: noise times 1e-10)."""

    name, label = "ddpm", "DDPM"

    def step(self, eps, i, x):
        t = self.timesteps[i]
        t_next = self.timesteps[i + 1] if i + 1 < len(self.timesteps) else -1
        a_t = float(self.abar[t])
        a_prev = float(self.abar[t_next]) if t_next >= 0 else 1.0
        beta = 1 - a_t / a_prev
        c_x0 = a_prev**0.5 * beta / (1 - a_t)
        c_x = (1 - beta) ** 0.5 * (1 - a_prev) / (1 - a_t)
        sigma = ((1 - a_prev) / (1 - a_t) * beta) ** 0.5
        x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t**0.5
        noise_seed = step_noise_seed(self.seed, i) if isinstance(self.seed, int) else None
        z = fresh_noise(self.seed, i, tuple(x.shape))
        x_next = c_x0 * x0 + c_x * x + sigma * z
        return x_next, x0, {"t": t, "t_next": t_next, "alpha_bar": a_t, "alpha_bar_prev": a_prev,
                            "beta": beta, "c_x0": c_x0, "c_x": c_x, "sigma": sigma, "noise_seed": noise_seed}


class DPMSolverPP2M(Scheduler):
    """diffusers' DPMSolverMultistepScheduler with algorithm_type "dpmsolver++", solver_order 2
    (solver_type "midpoint", final_sigmas_type "zero", so the last step is first order, as
    lower_order_final). It works on x_t = alpha x0 + sigma eps with alpha = sqrt(abar),
    sigma = sqrt(1 - abar), in lambda = log(alpha / sigma); a step from lambda to lambda_next
    is h = lambda_next - lambda. First order (the first step, the last, and any 1-step run) is
    DDIM:
        x_next = (sigma_next / sigma) x + alpha_next (1 - e^-h) x0
    Second order reuses the previous step's x0 (a multistep method, no extra U-Net run):
        r = h_prev / h,  D1 = (x0 - x0_prev) / r
        x_next = (sigma_next / sigma) x + alpha_next (1 - e^-h) (x0 + D1 / 2)
    The last step goes to sigma 0, alpha 1 (h infinite, e^-h = 0): x_next = x0."""

    name, label = "dpmpp_2m", "DPM-Solver++ (2M)"

    def set_timesteps(self, steps):
        super().set_timesteps(steps)
        a = [float(self.abar[t]) for t in self.timesteps] + [1.0]
        self.alphas = [v**0.5 for v in a]
        self.sigmas = [(1 - v) ** 0.5 for v in a]
        self.prev_x0 = None

    def lam(self, i):
        """lambda = log(alpha / sigma) at step i (infinite after the last)."""
        return math.log(self.alphas[i] / self.sigmas[i])

    def step(self, eps, i, x):
        alpha, sigma = self.alphas[i], self.sigmas[i]
        alpha_next, sigma_next = self.alphas[i + 1], self.sigmas[i + 1]
        last = i == len(self.timesteps) - 1
        x0 = (x - sigma * eps) / alpha
        c = {"t": self.timesteps[i], "t_next": -1 if last else self.timesteps[i + 1], "alpha": alpha,
             "sigma": sigma, "alpha_next": alpha_next, "sigma_next": sigma_next, "lambda": self.lam(i)}
        # e^-h = (sigma_next / alpha_next) / (sigma / alpha): 0 after the last step.
        exp_neg_h = 0.0 if last else (sigma_next / alpha_next) / (sigma / alpha)
        c_sample = sigma_next / sigma
        c_x0 = alpha_next * (1 - exp_neg_h)
        if not last:
            c["lambda_next"] = self.lam(i + 1)
            c["h"] = c["lambda_next"] - c["lambda"]
        if self.prev_x0 is None or last:  # the first step run (image-to-image starts mid-way)
            order = 1
            x_next = c_sample * x + c_x0 * x0
        else:
            order = 2
            r = (c["lambda"] - self.lam(i - 1)) / c["h"]
            d1 = (x0 - self.prev_x0) * (1 / r)
            x_next = c_sample * x + c_x0 * x0 + (0.5 * c_x0) * d1
            c["r"] = r
        self.prev_x0 = x0
        c.update(order=order, exp_neg_h=exp_neg_h, c_sample=c_sample, c_x0=c_x0)
        return x_next, x0, c


# Every sampler, by the name the manifest and the site use, in the manifest schema's order.
SAMPLERS = {s.name: s for s in (DDIM, Euler, EulerAncestral, DDPM, DPMSolverPP2M)}


def check_names(schema=config.MANIFEST_SCHEMA):
    """The registry must name exactly the manifest schema's samplers (SchedulerName), in its
    order: the site picks a sampler by that name, and the manifest lists them in that order."""
    names = json.loads(Path(schema).read_text())["definitions"]["SchedulerName"]["enum"]
    if list(SAMPLERS) != names:
        raise ImportError(f"schedule.SAMPLERS {list(SAMPLERS)} is not the manifest schema's SchedulerName {names}")


check_names()


def make_scheduler(name, abar, steps, spacing="trailing", seed=0):
    """SAMPLERS[name] set up for a run of `steps` (the site's createScheduler)."""
    scheduler = SAMPLERS[name](abar, spacing, seed)
    scheduler.set_timesteps(steps)
    return scheduler


def guided_eps(unet, x, t, cond, uncond, guidance):
    """Classifier-free guidance: the U-Net on a batch of 2 (without and with the prompt).
    `guidance` is one scale or one per sample ([B]). Returns the guided noise and both
    predictions."""
    tt = torch.full((2 * x.shape[0],), float(t), device=x.device)
    eps, _ = unet(torch.cat([x, x]), tt, torch.cat([uncond, cond]))
    eps_u, eps_c = eps.chunk(2)
    g = guidance.view(-1, 1, 1, 1) if torch.is_tensor(guidance) else guidance
    return eps_u + g * (eps_c - eps_u), eps_c, eps_u


def guided(unet, cond, uncond, guidance):
    """The teacher's noise estimate for sample(): (x, t) -> (guided eps, the two predictions
    it mixes, for the trace)."""
    def eps(x, t):
        eps_g, eps_c, eps_u = guided_eps(unet, x, t, cond, uncond, guidance)
        return eps_g, {"eps_cond": eps_c, "eps_uncond": eps_u}

    return eps


def edit_start(steps, strength):
    """Image-to-image runs the last floor(steps * strength) of the steps (diffusers' img2img):
    the index of the first one; `steps` when none runs."""
    return steps - min(int(steps * strength), steps)


@torch.no_grad()
def sample(scheduler, predict_eps, noise, source=None, strength=1.0, mask=None, trace=None):
    """Sampling with a scheduler (set_timesteps done), in float32 like the site. `predict_eps`:
    (x, t) -> (eps, anything else to trace), e.g. guided(unet, cond, uncond, guidance).

    Text-to-image starts from the noise (strength 1). Image-to-image (SDEdit, Meng et al.
    2021) noises the `source` latent to the level of the first step it runs and denoises from
    there; strength 1 starts from pure noise as text-to-image does (diffusers' img2img would
    still keep sqrt(abar_999) = 0.068 of the picture). Inpainting by latent blending: with a
    `mask` (1 = repaint, 0 = keep, on the latent grid), after every step the kept part is
    replaced by the source noised to the next step's level, and after the last by the source
    itself (diffusers' inpainting with a plain text-to-image U-Net)."""
    n = len(scheduler.timesteps)
    k = edit_start(n, strength)
    if k == n:
        return source.clone()
    x = noise * scheduler.init_noise_sigma if strength >= 1 else scheduler.add_noise(source, noise, k)
    for i in range(k, n):
        t = scheduler.timesteps[i]
        inp = scheduler.scale_model_input(x, i)
        eps, parts = predict_eps(inp, t)
        x_next, x0, coefficients = scheduler.step(eps, i, x)
        if mask is not None:
            x_next = mask * x_next + (1 - mask) * scheduler.add_noise(source, noise, i + 1)
        if trace is not None:
            trace.append({"t": t, "x": inp, "eps": eps, "x0": x0, "next": x_next, "coefficients": coefficients,
                          **parts})
        x = x_next
    return x

"""The noise schedule, the seeded Gaussian generator and the reference samplers.

Everything here is mirrored in src/lib/pipeline/ and tied to it by the golden tensors.
"""
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


# --- Samplers -------------------------------------------------------------------------


def timesteps(steps):
    """'Trailing' spacing: starts at t = T-1, where the latent is (almost) pure noise."""
    ratio = config.T / steps
    return [int(round(config.T - i * ratio)) - 1 for i in range(steps)]


def ddim_coefficients(abar, steps):
    """Per step (t, abar_t, abar_prev): x0 = (x - sqrt(1-abar_t) eps) / sqrt(abar_t);
    x_prev = sqrt(abar_prev) x0 + sqrt(1-abar_prev) eps (eta = 0)."""
    ts = timesteps(steps)
    out = []
    for i, t in enumerate(ts):
        prev = abar[ts[i + 1]] if i + 1 < len(ts) else 1.0
        out.append((t, float(abar[t]), float(prev)))
    return out


def guided_eps(unet, x, t, cond, uncond, guidance):
    """Classifier-free guidance: the U-Net on a batch of 2 (without and with the prompt).
    `guidance` is one scale or one per sample ([B]). Returns the guided noise and both
    predictions."""
    tt = torch.full((2 * x.shape[0],), float(t), device=x.device)
    eps, _ = unet(torch.cat([x, x]), tt, torch.cat([uncond, cond]))
    eps_u, eps_c = eps.chunk(2)
    g = guidance.view(-1, 1, 1, 1) if torch.is_tensor(guidance) else guidance
    return eps_u + g * (eps_c - eps_u), eps_c, eps_u


def ddim_update(x, eps, a_t, a_prev):
    """One DDIM step (eta 0) from abar a_t to a_prev (1.0: all the way); returns (x_prev, x0)."""
    x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t**0.5
    return a_prev**0.5 * x0 + (1 - a_prev) ** 0.5 * eps, x0


@torch.no_grad()
def sample_ddim(unet, cond, uncond, noise, abar, steps, guidance, trace=None):
    """Classifier-free guided DDIM (eta 0), computed in float32 like the browser does."""
    x = noise.clone()
    for t, a_t, a_prev in ddim_coefficients(abar, steps):
        eps_g, eps_c, eps_u = guided_eps(unet, x, t, cond, uncond, guidance)
        x_next, x0 = ddim_update(x, eps_g, a_t, a_prev)
        if trace is not None:
            trace.append(
                {"t": t, "x": x, "eps_uncond": eps_u, "eps_cond": eps_c, "eps": eps_g, "x0": x0}
            )
        x = x_next
    return x


def euler_sigmas(abar, steps):
    """Per step (t, sigma, sigma_next) with sigma = sqrt((1 - abar) / abar); the last step
    goes to sigma = 0. Euler works on x / sqrt(abar), whose noise level is sigma."""
    ts = timesteps(steps)
    sig = [float(((1 - abar[t]) / abar[t]) ** 0.5) for t in ts] + [0.0]
    return [(t, sig[i], sig[i + 1]) for i, t in enumerate(ts)]


@torch.no_grad()
def sample_euler(unet, cond, uncond, noise, abar, steps, guidance, trace=None):
    """Classifier-free guided Euler (as diffusers' EulerDiscreteScheduler, no noise added)."""
    plan = euler_sigmas(abar, steps)
    x = noise * (plan[0][1] ** 2 + 1) ** 0.5
    ctx = torch.cat([uncond, cond])
    for t, sigma, sigma_next in plan:
        inp = x / (sigma**2 + 1) ** 0.5  # back on the scale the U-Net was trained on
        tt = torch.full((2 * x.shape[0],), float(t))
        eps, _ = unet(torch.cat([inp, inp]), tt, ctx)
        eps_u, eps_c = eps.chunk(2)
        eps_g = eps_u + guidance * (eps_c - eps_u)
        x0 = x - sigma * eps_g
        if trace is not None:
            trace.append(
                {"t": t, "x": inp, "eps_uncond": eps_u, "eps_cond": eps_c, "eps": eps_g, "x0": x0}
            )
        x = x + eps_g * (sigma_next - sigma)
    return x

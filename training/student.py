"""The distilled student's network: the teacher's U-Net with two more inputs, the guidance
scale and the step count, predicting v (or the noise); and the graph that ships, which turns
its prediction back into noise. How it learns is in distill.py."""
import torch
import torch.nn as nn

from . import config, schedule
from .unet import UNet


class Student(nn.Module):
    """The teacher's U-Net with two more inputs: the guidance scale and the step count."""

    def __init__(self, param="v", step_input=True):
        super().__init__()
        self.net = UNet(ctx_dim=config.EMBED_DIM, scalars=2)
        self.param, self.step_input = param, step_input
        self.register_buffer("abar", torch.from_numpy(schedule.alphas_cumprod()).float())

    def forward(self, x, t, ctx, guidance, steps):
        """Raw output (v or noise, by `param`) and attention maps; t, guidance, steps: [B]."""
        k = torch.log2(steps) if self.step_input else torch.zeros_like(steps)
        return self.net(x, t, ctx, torch.stack([guidance * config.GUIDANCE_EMBED, k * config.STEPS_EMBED], 1))

    def predict(self, x, t, ctx, guidance, steps):
        """(x0, noise) for integer timesteps t: [B]."""
        out, _ = self(x, t.float(), ctx, guidance, steps)
        a = self.abar[t].sqrt().view(-1, 1, 1, 1)
        s = (1 - self.abar[t]).sqrt().view(-1, 1, 1, 1)
        if self.param == "v":
            return a * x - s * out, s * x + a * out
        return (x - s * out) / a, out


class StudentAsNoise(nn.Module):
    """The exported graph: the student's prediction as noise, so that the site's sampler, its
    figures and the teacher's share one formula (x0 = (x - sqrt(1 - abar) eps) / sqrt(abar))."""

    def __init__(self, student):
        super().__init__()
        self.student = student

    def forward(self, sample, timestep, guidance, num_steps, encoder_hidden_states):
        out, maps = self.student(sample, timestep, encoder_hidden_states, guidance, num_steps)
        if self.student.param != "v":
            return out, maps
        abar = self.student.abar[timestep.long()].view(-1, 1, 1, 1)
        return (1 - abar).sqrt() * sample + abar.sqrt() * out, maps

"""A KL autoencoder with 4 latent channels, as in Stable Diffusion, downsampling by 4."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import config
from .clip import ResBlock


class Encoder(nn.Module):
    def __init__(self, w=32, z=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, w, 3, 1, 1),
            ResBlock(w, w),
            nn.Conv2d(w, 2 * w, 3, 2, 1),  # 16x16
            ResBlock(2 * w, 2 * w),
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1),  # 8x8
            ResBlock(4 * w, 4 * w),
            nn.GroupNorm(8, 4 * w),
            nn.SiLU(),
            nn.Conv2d(4 * w, 2 * z, 3, 1, 1),
        )

    def forward(self, x):
        """x: [B, 3, H, W] in [-1, 1] -> mean, logvar: [B, 4, H/4, W/4]."""
        mean, logvar = self.net(x).chunk(2, dim=1)
        return mean, logvar.clamp(-30, 20)


class Decoder(nn.Module):
    def __init__(self, w=32, z=4, refine=config.VAE_DECODER_REFINE):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(z, 4 * w, 3, 1, 1),
            ResBlock(4 * w, 4 * w),
            ResBlock(4 * w, 4 * w),
            nn.Upsample(scale_factor=2, mode="nearest"),  # 16x16
            nn.Conv2d(4 * w, 2 * w, 3, 1, 1),
            ResBlock(2 * w, 2 * w),
            nn.Upsample(scale_factor=2, mode="nearest"),  # 32x32
            nn.Conv2d(2 * w, w, 3, 1, 1),
            ResBlock(w, w),
            nn.GroupNorm(8, w),
            nn.SiLU(),
            nn.Conv2d(w, 3, 3, 1, 1),
        )
        # Extra blocks at full resolution, for the fine detail the held-out images lose. Each
        # starts as the identity (last conv zeroed), so they can join a trained decoder.
        self.refine = nn.Sequential(*[ResBlock(w, w) for _ in range(refine)])
        for block in self.refine:
            nn.init.zeros_(block.c2.weight)
            nn.init.zeros_(block.c2.bias)

    def forward(self, z):
        h = self.net[:-3](z)  # up to the last full-resolution block
        return self.net[-3:](self.refine(h))


def load_vae(vae, state):
    """Loads VAE weights saved before the decoder had its refine blocks (they stay identity)."""
    missing, unexpected = vae.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith("decoder.refine.") for k in missing), (missing, unexpected)


def reconstruction_loss(rec, x):
    """MSE (what PSNR measures) plus a little L1 for crisper edges; returns (loss, mse)."""
    mse = F.mse_loss(rec, x)
    return mse + 0.1 * F.l1_loss(rec, x), mse


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def loss(self, x, kl_weight=1e-6):
        mean, logvar = self.encoder(x)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        rec_loss, mse = reconstruction_loss(self.decoder(z), x)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).sum(dim=(1, 2, 3)).mean()
        return rec_loss + kl_weight * kl, mse

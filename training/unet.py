"""The U-Net: predicts the noise in a latent, given the timestep and the prompt's tokens.

Like Stable Diffusion's: residual blocks with a timestep embedding, and transformer blocks
whose cross-attention reads the text encoder's per-token hidden states. Each cross-attention
also returns its map (averaged over heads) so the explainer can show where each word looks.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    """Sinusoidal embedding of a float timestep t: [B] -> [B, dim]."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim):
        super().__init__()
        self.n1 = nn.GroupNorm(16, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.t = nn.Linear(tdim, cout)
        self.n2 = nn.GroupNorm(16, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.t(temb)[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return h + self.skip(x)


class Attention(nn.Module):
    """Multi-head attention written out (no fused kernels) so it exports to plain ONNX
    ops and can hand back its probabilities."""

    def __init__(self, d, ctx_dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(ctx_dim, d, bias=False)
        self.v = nn.Linear(ctx_dim, d, bias=False)
        self.out = nn.Linear(d, d)

    def forward(self, x, ctx):
        b, n, d = x.shape
        h = self.heads

        def split(y):
            return y.reshape(b, -1, h, d // h).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(ctx)), split(self.v(ctx))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h), dim=-1)
        y = (p @ v).transpose(1, 2).reshape(b, n, d)
        return self.out(y), p.mean(dim=1)  # probabilities averaged over heads: [B, N, M]


class Transformer(nn.Module):
    """Self-attention, cross-attention to the text, feed-forward; as SD's SpatialTransformer."""

    def __init__(self, c, ctx_dim, heads=4):
        super().__init__()
        self.norm = nn.GroupNorm(16, c)
        self.proj_in = nn.Linear(c, c)
        self.ln1 = nn.LayerNorm(c)
        self.self_attn = Attention(c, c, heads)
        self.ln2 = nn.LayerNorm(c)
        self.cross_attn = Attention(c, ctx_dim, heads)
        self.ln3 = nn.LayerNorm(c)
        self.ff = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))
        self.proj_out = nn.Linear(c, c)

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        y = self.proj_in(self.norm(x).reshape(b, c, hh * ww).transpose(1, 2))
        a = self.ln1(y)
        y = y + self.self_attn(a, a)[0]
        a, amap = self.cross_attn(self.ln2(y), ctx)
        y = y + a
        y = y + self.ff(self.ln3(y))
        y = self.proj_out(y).transpose(1, 2).reshape(b, c, hh, ww)
        return x + y, amap


class UNet(nn.Module):
    """Two resolutions (8x8 and 4x4) and a middle; one attention map per cross-attention."""

    def __init__(self, in_ch=4, ch=64, ctx_dim=128, scalars=0):
        super().__init__()
        c1, c2 = ch, 2 * ch
        tdim = 4 * ch
        self.ch = ch
        self.time = nn.Sequential(nn.Linear(ch, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        # Further scalar inputs (the distilled student's guidance scale and step count), each
        # embedded like the timestep and added to it. The last layer starts at zero, so a copy
        # of the teacher's weights starts out with the teacher's output (which the student then
        # reads as v, not as the noise: distill.py).
        self.scalars = None
        if scalars:
            self.scalars = nn.Sequential(nn.Linear(scalars * ch, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
            nn.init.zeros_(self.scalars[-1].weight)
            nn.init.zeros_(self.scalars[-1].bias)
        self.conv_in = nn.Conv2d(in_ch, c1, 3, 1, 1)
        self.down1 = ResBlock(c1, c1, tdim)
        self.down1_attn = Transformer(c1, ctx_dim)
        self.downsample = nn.Conv2d(c1, c1, 3, 2, 1)
        self.down2 = ResBlock(c1, c2, tdim)
        self.down2_attn = Transformer(c2, ctx_dim)
        self.mid1 = ResBlock(c2, c2, tdim)
        self.mid_attn = Transformer(c2, ctx_dim)
        self.mid2 = ResBlock(c2, c2, tdim)
        self.up2 = ResBlock(c2 + c2, c2, tdim)
        self.up2_attn = Transformer(c2, ctx_dim)
        self.up2b = ResBlock(c2 + c1, c2, tdim)
        self.upsample = nn.Conv2d(c2, c1, 3, 1, 1)
        self.up1 = ResBlock(c1 + c1, c1, tdim)
        self.up1_attn = Transformer(c1, ctx_dim)
        self.up1b = ResBlock(c1 + c1, c1, tdim)
        self.out = nn.Sequential(nn.GroupNorm(16, c1), nn.SiLU(), nn.Conv2d(c1, in_ch, 3, 1, 1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def forward(self, x, t, ctx, scalars=None):
        """x: [B, 4, 8, 8] latent, t: [B] float timestep, ctx: [B, L, 128] text states,
        scalars: [B, k] further inputs (already scaled to the timestep's range), if any.
        Returns the prediction [B, 4, 8, 8] (the teacher's: the noise) and the
        cross-attention maps [B, L, 8, 8] averaged over heads and over every cross-attention
        layer (4x4 ones upsampled)."""
        temb = self.time(timestep_embedding(t, self.ch))
        if self.scalars is not None:
            emb = torch.cat([timestep_embedding(v, self.ch) for v in scalars.unbind(1)], 1)
            temb = temb + self.scalars(emb)
        h = self.conv_in(x)
        h1, a1 = self.down1_attn(self.down1(h, temb), ctx)
        h = self.downsample(h1)
        h2, a2 = self.down2_attn(self.down2(h, temb), ctx)
        h = self.mid1(h2, temb)
        h, a3 = self.mid_attn(h, ctx)
        h = self.mid2(h, temb)
        h, a4 = self.up2_attn(self.up2(torch.cat([h, h2], 1), temb), ctx)
        h = self.up2b(torch.cat([h, F.avg_pool2d(h1, 2)], 1), temb)
        h = self.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h, a5 = self.up1_attn(self.up1(torch.cat([h, h1], 1), temb), ctx)
        h = self.up1b(torch.cat([h, h1], 1), temb)
        return self.out(h), self._maps(x, [a1, a5], [a2, a3, a4])

    @staticmethod
    def _maps(x, full, half):
        b, _, hh, ww = x.shape

        def grid(a, s):
            return a.transpose(1, 2).reshape(b, -1, s[0], s[1])

        lo = sum(grid(a, (hh // 2, ww // 2)) for a in half) / len(half)
        lo = F.interpolate(lo, scale_factor=2.0, mode="nearest")
        hi = sum(grid(a, (hh, ww)) for a in full) / len(full)
        return (hi * len(full) + lo * len(half)) / (len(full) + len(half))

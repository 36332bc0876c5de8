"""Golden tensors: every step of a few reference generations (and a probe image through the
encoders, the seeded Gaussian generator's first numbers, the tokenizer on tricky prompts),
computed in PyTorch with the weights that ship; the site's tests check its ONNX runs against
them (tests/unit/model-files.test.ts).
"""
import json

import numpy as np
import torch

from .. import config, schedule, train

# "float32_schedule" (not written to the files): the case's sampler reads abar rounded to
# float32, as the evaluation's sampling does, instead of the float64 the site reads from the
# manifest. These three DDIM cases were made that way and the golden files hold their bits;
# the site's float64 runs stay within its tests' tolerance of them.
GOLDEN_CASES = [
    {"prompt": "smiling cat", "seed": 42, "steps": 25, "guidance": 4.0, "scheduler": "ddim", "float32_schedule": True},
    {"prompt": "red heart", "seed": 7, "steps": 25, "guidance": 7.5, "scheduler": "ddim", "float32_schedule": True},
    {"prompt": "", "seed": 1, "steps": 10, "guidance": 1.0, "scheduler": "euler"},
]
GAUSSIAN_SEEDS = [0, 1, 42, 4294967295]
# The samplers beside DDIM and Euler, and SD v1's "leading" timestep spacing: short runs
# (golden_samplers.*), each step's coefficients included.
SAMPLER_GOLDEN_CASES = [
    {"prompt": "smiling cat", "seed": 42, "steps": 6, "guidance": 4.0, "scheduler": "euler_a", "spacing": "trailing"},
    {"prompt": "red heart", "seed": 7, "steps": 6, "guidance": 7.5, "scheduler": "ddpm", "spacing": "trailing"},
    {"prompt": "smiling cat", "seed": 42, "steps": 6, "guidance": 4.0, "scheduler": "dpmpp_2m", "spacing": "trailing"},
    {"prompt": "smiling cat", "seed": 42, "steps": 4, "guidance": 4.0, "scheduler": "ddim", "spacing": "leading",
     "float32_schedule": True},
    {"prompt": "smiling cat", "seed": 42, "steps": 4, "guidance": 4.0, "scheduler": "euler_a", "spacing": "leading"},
    {"prompt": "smiling cat", "seed": 42, "steps": 4, "guidance": 4.0, "scheduler": "ddpm", "spacing": "leading"},
    {"prompt": "smiling cat", "seed": 42, "steps": 4, "guidance": 4.0, "scheduler": "dpmpp_2m", "spacing": "leading"},
]
# The samplers whose every step's coefficients the files list (the site's tests compare them
# one by one); DDIM's and Euler's steps are checked through their latents alone.
WITH_COEFFICIENTS = ("euler_a", "ddpm", "dpmpp_2m")
# Image-to-image and inpainting (schedule.sample with a source) from sample image 0 of static/samples, its VAE
# mean latent as the source; masks are 8 x 8 latent cells, row-major, 1 = repaint.
LEFT_HALF = [1, 1, 1, 1, 0, 0, 0, 0] * 8
TOP_HALF = [1] * 32 + [0] * 32
EDIT_GOLDEN_CASES = [
    {"prompt": "smiling cat", "seed": 42, "steps": 8, "guidance": 4.0, "scheduler": "ddim", "strength": 0.5},
    {"prompt": "red heart", "seed": 7, "steps": 8, "guidance": 4.0, "scheduler": "ddim", "strength": 0.75},
    {"prompt": "red heart", "seed": 3, "steps": 8, "guidance": 4.0, "scheduler": "ddim", "strength": 1.0,
     "mask": LEFT_HALF},
    {"prompt": "sun", "seed": 5, "steps": 6, "guidance": 4.0, "scheduler": "euler_a", "strength": 0.6,
     "mask": TOP_HALF},
    {"prompt": "pizza", "seed": 9, "steps": 8, "guidance": 4.0, "scheduler": "dpmpp_2m", "strength": 0.5},
]

TOKENIZER_PROMPTS_FIXED = [
    "",
    "smiling cat",
    "Smiling CAT!!",
    "red heart",
    "flag: Japan",
    "café au lait",
    "naïve résumé",
    "🐱 cat",
    "cat🐱face",
    "👩‍👩‍👧 family",
    "I ❤️ NY",
    "日本の国旗",
    "中文 cat",
    "grinning face with big eyes, happy, smile",
    "   lots   of   spaces   ",
    "tab\tand\nnewline",
    "zero\u200bwidth",
    "control\u0007char",
    "ﬁne ligature",
    "Ｆｕｌｌｗｉｄｔｈ",
    "über straße",
    "e\u0301 combining",
    "supercalifragilisticexpialidocious",
    "a" * 120,
    "word " * 40,
    "hello-world/foo_bar",
    "1234567890",
    "$100 & 50% off",
    "«quotes» “curly” ‘single’",
    "emoji 😀😃😄😁😆😅🤣😂",
]


def tokenizer_prompts(d, n=200):
    rng = np.random.default_rng(0)
    labels = list(dict.fromkeys(d["label"]))
    k = min(len(labels), n - len(TOKENIZER_PROMPTS_FIXED))
    picks = [labels[i] for i in rng.choice(len(labels), k, replace=False)]
    # Vary case and add a keyword so the prompts look like what readers type.
    out = list(TOKENIZER_PROMPTS_FIXED)
    for i, p in enumerate(picks):
        out.append(p.upper() if i % 7 == 0 else p.title() if i % 5 == 0 else p)
    return out


class Blob:
    """float32/int32 arrays packed into one little-endian binary with a JSON index."""

    def __init__(self):
        self.parts, self.index, self.offset = [], {}, 0

    def add(self, key, array):
        a = np.ascontiguousarray(array)
        a = a.astype("<f4") if a.dtype.kind == "f" else a.astype("<i4")
        self.index[key] = {
            "offset": self.offset,
            "dtype": "float32" if a.dtype.kind == "f" else "int32",
            "shape": list(a.shape),
        }
        self.parts.append(a.tobytes())
        self.offset += a.nbytes
        return key

    def bytes(self):
        return b"".join(self.parts)


@torch.no_grad()
def golden_cases(blob, specs, clip, vae, unet, wp, scale, abar, text=True, source=None, prefix="case"):
    """Each case's whole trace (noise, every step's predictions, final latent, image); with
    `text`, the text encoder's outputs too. Cases with a strength edit `source` (a latent)."""
    abar32 = torch.from_numpy(abar).float()
    cases = []
    for ci, c in enumerate(specs):
        ids, mask = wp.encode(c["prompt"], config.CONTEXT_LENGTH)
        uids, umask = wp.encode("", config.CONTEXT_LENGTH)
        ids_t = torch.tensor([uids, ids])
        mask_t = torch.tensor([umask, mask])
        hidden, embeds = clip.text(ids_t, mask_t)
        shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
        noise = schedule.seeded_noise(c["seed"], shape)
        alphas = abar32 if c.get("float32_schedule") else abar
        scheduler = schedule.make_scheduler(c["scheduler"], alphas, c["steps"], c.get("spacing", "trailing"), c["seed"])
        predict_eps = schedule.guided(unet, hidden[1:], hidden[:1], c["guidance"])
        repaint = torch.tensor(c["mask"], dtype=torch.float32).view(1, 1, 8, 8) if "mask" in c else None
        trace = []
        # Text-to-image cases have no strength: 1, every step from the noise (`source` unused).
        final = schedule.sample(scheduler, predict_eps, noise, source, c.get("strength", 1.0), repaint, trace)
        image = vae.decoder(final / scale)
        p = f"{prefix}{ci}/"
        entry = {k: v for k, v in c.items() if k != "float32_schedule"}
        entry["input_ids"] = ids
        entry["attention_mask"] = mask
        entry["timesteps"] = [s["t"] for s in trace]
        if c["scheduler"] in WITH_COEFFICIENTS:
            entry["coefficients"] = [s["coefficients"] for s in trace]
        entry["tensors"] = {
            **({"text_hidden": blob.add(p + "text_hidden", hidden.numpy()),
                "text_embeds": blob.add(p + "text_embeds", embeds.numpy())} if text else {}),
            "noise": blob.add(p + "noise", noise.numpy()),
            "x": blob.add(p + "x", torch.stack([s["x"] for s in trace]).numpy()),
            "eps_cond": blob.add(p + "eps_cond", torch.stack([s["eps_cond"] for s in trace]).numpy()),
            "eps_uncond": blob.add(
                p + "eps_uncond", torch.stack([s["eps_uncond"] for s in trace]).numpy()
            ),
            "eps": blob.add(p + "eps", torch.stack([s["eps"] for s in trace]).numpy()),
            "x0": blob.add(p + "x0", torch.stack([s["x0"] for s in trace]).numpy()),
            "final_latent": blob.add(p + "final_latent", final.numpy()),
            "image": blob.add(p + "image", image.numpy()),
        }
        if "strength" in c:
            entry["tensors"]["next"] = blob.add(p + "next", torch.stack([s["next"] for s in trace]).numpy())
            entry["tensors"]["source_latent"] = blob.add(p + "source_latent", source.numpy())
        cases.append(entry)
    return cases


def sample_source(vae, scale, index=0):
    """Sample image `index` of static/samples through the VAE encoder: its mean, scaled."""
    meta = json.loads((config.ROOT / "static" / "samples" / "samples.json").read_text())
    size = meta["size"]
    rgb = np.fromfile(config.ROOT / "static" / "samples" / "samples.rgb", dtype=np.uint8)
    img = torch.from_numpy(rgb.reshape(-1, size, size, 3)[index].astype(np.float32)).permute(2, 0, 1)[None]
    mean, _ = vae.encoder(img / 127.5 - 1)
    return mean * scale


@torch.no_grad()
def golden(d, clip, vae, unet, wp, scale, abar):
    blob = Blob()
    cases = golden_cases(blob, GOLDEN_CASES, clip, vae, unet, wp, scale, abar)
    # One real image through the encoders, for the graphs the sampler does not use.
    probe = train.to_unit(d["images"][:1])
    mean, logvar = vae.encoder(probe)
    probes = {
        "image": blob.add("probe/image", probe.numpy()),
        "latent_mean": blob.add("probe/latent_mean", mean.numpy()),
        "latent_logvar": blob.add("probe/latent_logvar", logvar.numpy()),
        "image_embeds": blob.add("probe/image_embeds", clip.image(probe).numpy()),
    }
    gauss = {}
    for s in GAUSSIAN_SEEDS:
        gauss[str(s)] = blob.add(f"gaussian/{s}", schedule.Gaussian(s).normals(1024))
    return blob, {"cases": cases, "gaussian": gauss, "probe": probes, "probe_label": d["label"][0]}


STUDENT_GOLDEN_CASES = [
    {"model": "student", "prompt": "smiling cat", "seed": 42, "steps": 1, "guidance": 4.0, "scheduler": "ddim"},
    {"model": "student", "prompt": "red heart", "seed": 7, "steps": 2, "guidance": 2.0, "scheduler": "ddim"},
    {"model": "student", "prompt": "rocket", "seed": 3, "steps": 4, "guidance": 7.5, "scheduler": "ddim"},
]


@torch.no_grad()
def student_golden_cases(blob, specs, clip, vae, student, wp, scale):
    """The student's traces as the site computes them: its graph's noise, then DDIM."""
    from ..student import StudentAsNoise

    graph = StudentAsNoise(student).eval()
    abar = schedule.alphas_cumprod()
    cases = []
    for ci, c in enumerate(specs):
        ids, mask = wp.encode(c["prompt"], config.CONTEXT_LENGTH)
        hidden, embeds = clip.text(torch.tensor([ids]), torch.tensor([mask]))
        shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
        noise = schedule.seeded_noise(c["seed"], shape)
        g, n = torch.tensor([float(c["guidance"])]), torch.tensor([float(c["steps"])])

        def predict_eps(x, t):  # one run, guidance and step count as inputs
            return graph(x, torch.tensor([float(t)]), g, n, hidden)[0], {}

        trace = []
        x = schedule.sample(schedule.make_scheduler(c["scheduler"], abar, c["steps"]), predict_eps, noise,
                            trace=trace)
        xs, epss, x0s, ts = ([s[k] for s in trace] for k in ("x", "eps", "x0", "t"))
        image = vae.decoder(x / scale)
        p = f"case{ci}/"
        entry = dict(c, input_ids=ids, attention_mask=mask, timesteps=ts)
        entry["tensors"] = {
            "text_hidden": blob.add(p + "text_hidden", hidden.numpy()),
            "noise": blob.add(p + "noise", noise.numpy()),
            "x": blob.add(p + "x", torch.stack(xs).numpy()),
            "eps": blob.add(p + "eps", torch.stack(epss).numpy()),
            "x0": blob.add(p + "x0", torch.stack(x0s).numpy()),
            "final_latent": blob.add(p + "final_latent", x.numpy()),
            "image": blob.add(p + "image", image.numpy()),
        }
        cases.append(entry)
    return cases


def write_teacher(out, d, clip, vae, unet, wp, scale):
    """golden.bin and golden.json: the teacher's cases, probes, Gaussians and tokenizer cases."""
    L = config.CONTEXT_LENGTH
    abar = schedule.alphas_cumprod()
    blob, index = golden(d, clip, vae, unet, wp, scale, abar)
    (out / "golden.bin").write_bytes(blob.bytes())
    tok_cases = [{"text": t, "ids": wp.encode(t, L)[0], "mask": wp.encode(t, L)[1]}
                 for t in tokenizer_prompts(d)]
    index["tensors"] = blob.index
    index["tokenizer"] = tok_cases
    (out / "golden.json").write_text(json.dumps(index, ensure_ascii=False))


def write_samplers(out, clip, vae, unet, wp, scale):
    """golden_samplers.bin and golden_samplers.json: the teacher's short runs with the samplers
    beside DDIM and Euler, and with SD v1's leading spacing (SAMPLER_GOLDEN_CASES). The text
    encoder's outputs are golden.json's to check."""
    blob = Blob()
    abar = schedule.alphas_cumprod()
    cases = golden_cases(blob, SAMPLER_GOLDEN_CASES, clip, vae, unet, wp, scale, abar, text=False)
    cases += golden_cases(blob, EDIT_GOLDEN_CASES, clip, vae, unet, wp, scale, abar, text=False,
                          source=sample_source(vae, scale), prefix="edit")
    (out / "golden_samplers.bin").write_bytes(blob.bytes())
    (out / "golden_samplers.json").write_text(json.dumps({"cases": cases, "tensors": blob.index}))


def write_student(out, clip, vae, student, wp, scale):
    """golden_student.bin and golden_student.json: the student at 1, 2 and 4 steps."""
    blob = Blob()
    cases = student_golden_cases(blob, STUDENT_GOLDEN_CASES, clip, vae, student, wp, scale)
    (out / "golden_student.bin").write_bytes(blob.bytes())
    (out / "golden_student.json").write_text(json.dumps({"cases": cases, "tensors": blob.index}))

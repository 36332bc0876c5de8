"""The shipped model, read back from its ONNX files into PyTorch modules.

Whatever later training builds on the shipped model (the distilled student) learns from the
very numbers the site runs: the int8 weights dequantized (Cast + Mul, as onnxruntime folds
them), not a checkpoint that may be missing on a fresh clone or differ from the export.

The exporter renames and reshapes some weights (a Linear's weight becomes a transposed MatMul
constant, attention's packed projection is split in three, a GroupNorm's scale is reshaped),
so the mapping from graph constants to parameters is found by exporting the same module with
random weights and matching values: a deterministic function of the module and the
PyTorch version, checked afterwards by the golden tensors.
"""
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from . import config, tokenizer
from .clip import CLIP, TextModel, VisionModel
from .export.graphs import export_float, quantize_onnx, student_graph_io
from .student import Student, StudentAsNoise
from .unet import UNet
from .vae import VAE


def _graph_constants(path, names=None):
    """Every float constant of a graph by name, int8 ones dequantized exactly as the graph does.
    `names`: the initializers' names in order, for a compacted graph (graphs.compact_onnx), whose
    own names are short counters."""
    graph = onnx.load(str(path)).graph
    inits = {(names[k] if names else i.name): numpy_helper.to_array(i) for k, i in enumerate(graph.initializer)}
    out = {}
    for name, a in inits.items():
        if name.endswith("_q"):
            base = name[:-2]
            out[base] = a.astype(np.float32) * inits[base + "_scale"]
        elif not name.endswith("_scale") and a.dtype == np.float32:
            out[name] = a
    return out


def _mapping(module, example, names, dynamic):
    """For each constant of the module's exported graph: (parameter name, how it was derived);
    and the exported graph's initializers after quantization, in order, as (name, type, shape):
    what a compacted graph's initializers are, renamed (compact_onnx keeps their order)."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))  # distinct values, so that each constant is findable
    params = {n: p.detach().numpy().copy() for n, p in module.named_parameters()}
    # The first value of each parameter row, to find rows (and transposed rows) by value.
    by_value = {}
    for n, p in params.items():
        rows = p.reshape(p.shape[0], -1) if p.ndim > 1 else p.reshape(1, -1)
        for r in range(rows.shape[0]):
            by_value.setdefault(float(rows[r, 0]), []).append((n, r))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.onnx"
        export_float(module, example, path, *names, dynamic)
        consts = _graph_constants(path)
        quantize_onnx(str(path))
        order = [(i.name, i.data_type, list(i.dims)) for i in onnx.load(str(path)).graph.initializer]
    mapping = {}
    for cname, c in consts.items():
        for how, view in (("same", c), ("transpose", c.T if c.ndim == 2 else None)):
            if view is None:
                continue
            flat = view.reshape(view.shape[0], -1) if view.ndim > 1 else view.reshape(1, -1)
            for n, r in by_value.get(float(flat.reshape(-1)[0]), []):
                p = params[n]
                rows = p.reshape(p.shape[0], -1) if p.ndim > 1 else p.reshape(1, -1)
                if view.size == p.size and np.array_equal(view.reshape(-1), p.reshape(-1)):
                    mapping[cname] = (n, how, None)
                elif (view.ndim == 2 and view.shape[1] == rows.shape[1]
                      and np.array_equal(view, rows[r : r + view.shape[0]])):
                    mapping[cname] = (n, how, r)  # a block of rows (attention's q, k or v)
            if cname in mapping:
                break
    return mapping, order


def load_into(module, path, example, names, dynamic, compacted=False):
    """Fills `module`'s parameters from the shipped graph at `path`; every parameter the graph
    uses must be found. `compacted`: the graph went through graphs.compact_onnx after its int8
    rewrite (the student's), so its initializers are matched to the exporter's names by
    position, each checked for the same type and shape."""
    mapping, order = _mapping(module, example, names, dynamic)
    renamed = None
    if compacted:
        shipped = [(i.data_type, list(i.dims)) for i in onnx.load(str(path)).graph.initializer]
        if shipped != [(t, d) for _, t, d in order]:
            raise SystemExit(f"{Path(path).name}: its initializers are not those of this module's export")
        renamed = [n for n, _, _ in order]
    consts = _graph_constants(path, renamed)
    state = {n: p.detach().clone() for n, p in module.named_parameters()}
    covered = {n: np.zeros(p.shape[0] if p.ndim > 1 else 1, bool) for n, p in state.items()}
    for cname, (n, how, row) in mapping.items():
        v = consts[cname]
        v = v.T if how == "transpose" else v
        t = torch.from_numpy(np.ascontiguousarray(v))
        if row is None:
            state[n].copy_(t.reshape(state[n].shape))
            covered[n][:] = True
        else:
            state[n][row : row + t.shape[0]] = t.reshape(t.shape[0], *state[n].shape[1:])
            covered[n][row : row + t.shape[0]] = True
    missing = [n for n, c in covered.items() if not c.all()]
    module.load_state_dict(state, strict=False)
    return missing


def _fingerprint(out):
    m = json.loads((out / "manifest.json").read_text())
    return hashlib.sha256(json.dumps({k: v["sha256"] for k, v in m["files"].items()}).encode()).hexdigest()[:12]


def load(out=None):
    """(manifest, tokenizer, CLIP, VAE, teacher U-Net, latent scale) from an exported folder.
    The conversion is cached in training/.cache, keyed by the files' hashes."""
    out = Path(out or config.MODELS_OUT)
    manifest = json.loads((out / "manifest.json").read_text())
    wp = tokenizer.load(out / "clip" / "tokenizer.json")
    clip = CLIP(manifest["text"]["vocab_size"], config.CONTEXT_LENGTH, config.EMBED_DIM)
    vae = VAE()
    unet = UNet(ctx_dim=config.EMBED_DIM)
    cache = config.CACHE / f"shipped-{_fingerprint(out)}.pt"
    slim = False
    if cache.exists():
        state = torch.load(cache, map_location="cpu")
        # A cache for a training machine may leave out CLIP's image encoder and the VAE
        # decoder (the student's training uses neither); their golden checks are skipped.
        slim = bool(state.get("slim"))
        strict = not slim
        clip.load_state_dict(state["clip"], strict=strict)
        vae.load_state_dict(state["vae"], strict=strict)
        unet.load_state_dict(state["unet"])
    else:
        L, S, C, R = config.CONTEXT_LENGTH, config.LATENT_SIZE, config.LATENT_CHANNELS, config.IMAGE_SIZE
        b = {0: "batch"}
        jobs = [
            (TextModel(clip), out / "clip/onnx/text_model.onnx",
             (torch.zeros(2, L, dtype=torch.long), torch.ones(2, L, dtype=torch.long)),
             (["input_ids", "attention_mask"], ["last_hidden_state", "text_embeds"]),
             {"input_ids": b, "attention_mask": b, "last_hidden_state": b, "text_embeds": b}),
            (VisionModel(clip), out / "clip/onnx/vision_model.onnx", (torch.zeros(2, 3, R, R),),
             (["pixel_values"], ["image_embeds"]), {"pixel_values": b, "image_embeds": b}),
            (vae.encoder, out / "vae_encoder.onnx", (torch.zeros(2, 3, R, R),),
             (["image"], ["latent_mean", "latent_logvar"]), {"image": b, "latent_mean": b, "latent_logvar": b}),
            (vae.decoder, out / "vae_decoder.onnx", (torch.zeros(2, C, S, S),), (["latent"], ["image"]),
             {"latent": b, "image": b}),
            (unet, out / "unet.onnx",
             (torch.zeros(2, C, S, S), torch.zeros(2), torch.zeros(2, L, config.EMBED_DIM)),
             (["sample", "timestep", "encoder_hidden_states"], ["noise_pred", "attention_maps"]),
             {"sample": b, "timestep": b, "encoder_hidden_states": b, "noise_pred": b, "attention_maps": b}),
        ]
        for module, path, example, names, dynamic in jobs:
            missing = load_into(module, path, example, names, dynamic)
            # CLIP's temperature trains CLIP only; it is in neither graph.
            missing = [n for n in missing if n != "logit_scale"]
            if missing:
                raise SystemExit(f"{path.name}: no graph constant for {missing}")
        config.CACHE.mkdir(parents=True, exist_ok=True)
        torch.save({"clip": clip.state_dict(), "vae": vae.state_dict(), "unet": unet.state_dict()}, cache)
    for m in (clip, vae, unet):
        m.eval().requires_grad_(False)
    check_golden(out, clip, vae, unet, wp, slim=slim)
    return manifest, wp, clip, vae, unet, manifest["latent"]["scale_factor"]


@torch.no_grad()
def check_golden(out, clip, vae, unet, wp, tol=1e-4, slim=False):
    """The PyTorch modules must reproduce the golden tensors the site is tested against."""
    index = json.loads((out / "golden.json").read_text())
    blob = (out / "golden.bin").read_bytes()

    def tensor(key):
        e = index["tensors"][key]
        n = int(np.prod(e["shape"]))
        return torch.from_numpy(np.frombuffer(blob, "<f4", n, e["offset"]).reshape(e["shape"]).copy())

    case = index["cases"][0]
    ids = torch.tensor([wp.encode("", config.CONTEXT_LENGTH)[0], case["input_ids"]])
    mask = torch.tensor([wp.encode("", config.CONTEXT_LENGTH)[1], case["attention_mask"]])
    hidden = clip.text(ids, mask)[0]
    x = tensor(case["tensors"]["x"])[0]
    t = float(case["timesteps"][0])
    eps = unet(torch.cat([x, x]), torch.tensor([t, t]), hidden)[0]
    scale = json.loads((out / "manifest.json").read_text())["latent"]["scale_factor"]
    image = vae.decoder(tensor(case["tensors"]["final_latent"]) / scale)
    errors = {
        "text_hidden": (hidden - tensor(case["tensors"]["text_hidden"])).abs().max().item(),
        "eps_cond": (eps[1:] - tensor(case["tensors"]["eps_cond"])[0]).abs().max().item(),
        "eps_uncond": (eps[:1] - tensor(case["tensors"]["eps_uncond"])[0]).abs().max().item(),
        "image": (image - tensor(case["tensors"]["image"])).abs().max().item(),
    }
    probe = index["probe"]
    errors["latent_mean"] = (vae.encoder(tensor(probe["image"]))[0] - tensor(probe["latent_mean"])).abs().max().item()
    if not slim:
        errors["image_embeds"] = (clip.image(tensor(probe["image"])) - tensor(probe["image_embeds"])).abs().max().item()
    else:
        del errors["image"]
    bad = {k: v for k, v in errors.items() if not v <= tol}
    if bad:
        raise SystemExit(f"the shipped model read back from ONNX misses its golden tensors: {bad}")
    return errors


def load_student(out=None):
    """The shipped student, unet_student.onnx read back into student.Student: what the quality
    grid measures on a machine without the student's checkpoint (the graph's int8 weights are
    the ones the site runs, so no further round trip). Its graph is student.StudentAsNoise
    around the student, traced as export/graphs.py's export_student traces it; the conversion is cached
    in training/.cache by the file's hash and checked against golden_student.* every time."""
    out = Path(out or config.MODELS_OUT)
    entry = json.loads((out / "manifest.json").read_text())["models"]["student"]
    path = out / "unet_student.onnx"
    # A student trained with the step count as an input takes its log2 (student.Student);
    # one trained without it never reads num_steps.
    step_input = any(n.op_type == "Log" and "num_steps" in n.input for n in onnx.load(str(path)).graph.node)
    student = Student(entry["parameterization"], step_input)
    cache = config.CACHE / f"shipped-student-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}.pt"
    if cache.exists():
        student.load_state_dict(torch.load(cache, map_location="cpu"))
    else:
        example, names, dynamic = student_graph_io()
        missing = load_into(StudentAsNoise(student), path, example, names, dynamic, compacted=True)
        if missing:
            raise SystemExit(f"{path.name}: no graph constant for {missing}")
        config.CACHE.mkdir(parents=True, exist_ok=True)
        torch.save(student.state_dict(), cache)
    student.eval().requires_grad_(False)
    return student


@torch.no_grad()
def check_golden_student(out, clip, student, wp, tol=1e-4):
    """The student read back must reproduce golden_student.*: every step's noise of every case."""
    out = Path(out)
    index = json.loads((out / "golden_student.json").read_text())
    blob = (out / "golden_student.bin").read_bytes()

    def tensor(key):
        e = index["tensors"][key]
        n = int(np.prod(e["shape"]))
        return torch.from_numpy(np.frombuffer(blob, "<f4", n, e["offset"]).reshape(e["shape"]).copy())

    graph = StudentAsNoise(student).eval()
    worst = 0.0
    for c in index["cases"]:
        hidden = clip.text(torch.tensor([c["input_ids"]]), torch.tensor([c["attention_mask"]]))[0]
        xs, eps = tensor(c["tensors"]["x"]), tensor(c["tensors"]["eps"])
        g, n = torch.tensor([float(c["guidance"])]), torch.tensor([float(c["steps"])])
        for i, t in enumerate(c["timesteps"]):
            e, _ = graph(xs[i], torch.tensor([float(t)]), g, n, hidden)
            worst = max(worst, (e - eps[i]).abs().max().item())
    if not worst <= tol:
        raise SystemExit(f"the shipped student read back from ONNX misses its golden noise by {worst:.2e}")
    return worst

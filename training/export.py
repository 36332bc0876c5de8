"""Exports the trained model to static/models/: ONNX graphs, tokenizer, manifest, golden tensors.

Weights are stored as int8 with one float scale per output channel (Cast + Mul in the graph,
folded into float32 constants when onnxruntime loads the model): the arithmetic stays
float32, the download is a quarter of the size. The PyTorch reference that makes the golden
tensors uses exactly the same dequantized weights.
"""
import hashlib
import json
import shutil

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

from . import config, schedule, tokenizer, train
from .clip import CLIP
from .unet import UNet
from .vae import VAE

OPSET = 17
QUANT_MIN_ELEMENTS = 4096


# --- Weight quantization ---------------------------------------------------------------


def quantize(w, axis):
    """Symmetric per-channel int8 along `axis`; returns (int8 array, float32 scale)."""
    w = w.astype(np.float32)
    reduce = tuple(i for i in range(w.ndim) if i != axis)
    scale = (np.abs(w).max(axis=reduce, keepdims=True) / 127.0).astype(np.float32)
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale):
    return q.astype(np.float32) * scale


def _output_axis(graph, name):
    """Which axis of an initializer indexes output channels, judged from its consumer."""
    for node in graph.node:
        if name in node.input:
            if node.op_type == "MatMul" and list(node.input).index(name) == 1:
                return 1
            if node.op_type == "Gemm":
                trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
                return 0 if trans_b else 1
            return 0
    return 0


def quantize_onnx(path):
    """Rewrites large float initializers of an exported graph as int8 + per-channel scale."""
    model = onnx.load(path)
    g = model.graph
    keep, new_nodes = [], []
    for init in g.initializer:
        w = numpy_helper.to_array(init)
        if init.data_type != TensorProto.FLOAT or w.ndim < 2 or w.size < QUANT_MIN_ELEMENTS:
            keep.append(init)
            continue
        axis = _output_axis(g, init.name)
        q, scale = quantize(w, axis)
        qn, sn, cn = init.name + "_q", init.name + "_scale", init.name + "_cast"
        keep.append(numpy_helper.from_array(q, qn))
        keep.append(numpy_helper.from_array(scale, sn))
        new_nodes.append(helper.make_node("Cast", [qn], [cn], to=TensorProto.FLOAT))
        new_nodes.append(helper.make_node("Mul", [cn, sn], [init.name]))
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = new_nodes + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def quantize_module(module):
    """Replaces a PyTorch module's weights by their int8 round trip, as the ONNX file has them.
    Same rule as quantize_onnx: >= 2-D float weights with >= QUANT_MIN_ELEMENTS elements;
    nn.Linear's [out, in] weight and conv's [out, ...] weight both have outputs on axis 0."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.ndim < 2 or p.numel() < QUANT_MIN_ELEMENTS:
                continue
            q, scale = quantize(p.numpy(), 0)
            p.copy_(torch.from_numpy(dequantize(q, scale)))
    return module


# --- Export wrappers -------------------------------------------------------------------


class TextModel(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.text = clip.text

    def forward(self, input_ids, attention_mask):
        return self.text(input_ids, attention_mask)


class VisionModel(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.image = clip.image

    def forward(self, pixel_values):
        return self.image(pixel_values)


def _fix_output_shape(path, name, dims):
    """Names the output dims that the tracer could only describe as expressions."""
    m = onnx.load(str(path))
    for v in m.graph.output:
        if v.name == name:
            for d, value in zip(v.type.tensor_type.shape.dim, dims):
                if isinstance(value, str):
                    d.dim_param = value
                else:
                    d.dim_value = value
    onnx.save(m, str(path))


def _export(module, args, path, inputs, outputs, dynamic):
    _export_float(module, args, path, inputs, outputs, dynamic)
    quantize_onnx(str(path))


def _export_float(module, args, path, inputs, outputs, dynamic):
    # Exported in training mode: our models have no dropout or batch norm, so it computes the
    # same thing, and it keeps nn.MultiheadAttention off its fused kernel, which has no ONNX
    # form in torch 1.13.
    module.train()
    torch.onnx.export(
        module,
        args,
        str(path),
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=dynamic,
        opset_version=OPSET,
        do_constant_folding=True,
        training=torch.onnx.TrainingMode.PRESERVE,
    )
    module.eval()


def compact_onnx(path):
    """Drops what the graph does not need to run: node names and long internal value and
    weight names (the exporter's "/net/down1/c1/Conv_output_0"), so the download shrinks
    by about 3% with the same arithmetic. Inputs and outputs keep their names."""
    model = onnx.load(str(path))
    g = model.graph
    keep = {v.name for v in g.input} | {v.name for v in g.output}
    names = {}

    def short(x):
        if x == "" or x in keep:
            return x
        return names.setdefault(x, format(len(names), "x"))

    for init in g.initializer:
        init.name = short(init.name)
    for n in g.node:
        n.name, n.doc_string = "", ""
        n.input[:] = [short(x) for x in n.input]
        n.output[:] = [short(x) for x in n.output]
    for v in g.value_info:
        v.name = short(v.name)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _io(path):
    """Names, dtypes and shapes of a graph's inputs and outputs, for the manifest."""
    m = onnx.load(str(path))

    def describe(v):
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.elem_type].name
        return {"name": v.name, "dtype": dtype, "shape": dims}

    return {"inputs": [describe(v) for v in m.graph.input], "outputs": [describe(v) for v in m.graph.output]}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_files(manifest, out, files):
    """Lists files (manifest key -> path under `out`) with size, hash and, for graphs, I/O."""
    for key, rel in files.items():
        p = out / rel
        io = _io(p) if rel.endswith(".onnx") else {}
        manifest["files"][key] = {"path": rel, "bytes": p.stat().st_size, "sha256": sha256(p), **io}


def export_unet(unet, path):
    """A U-Net graph: noise prediction and the prompted attention maps, batch left free."""
    L, S, C = config.CONTEXT_LENGTH, config.LATENT_SIZE, config.LATENT_CHANNELS
    batch = {0: "batch"}
    _export(
        unet, (torch.zeros(2, C, S, S), torch.zeros(2), torch.zeros(2, L, config.EMBED_DIM)), path,
        ["sample", "timestep", "encoder_hidden_states"], ["noise_pred", "attention_maps"],
        {"sample": batch, "timestep": batch, "encoder_hidden_states": batch,
         "noise_pred": batch, "attention_maps": batch},
    )
    _fix_output_shape(path, "attention_maps", ["batch", L, S, S])


# --- Golden tensors --------------------------------------------------------------------

GOLDEN_CASES = [
    {"prompt": "smiling cat", "seed": 42, "steps": 25, "guidance": 4.0, "scheduler": "ddim"},
    {"prompt": "red heart", "seed": 7, "steps": 25, "guidance": 7.5, "scheduler": "ddim"},
    {"prompt": "", "seed": 1, "steps": 10, "guidance": 1.0, "scheduler": "euler"},
]
GAUSSIAN_SEEDS = [0, 1, 42, 4294967295]

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
def golden_cases(blob, specs, clip, vae, unet, wp, scale, abar):
    """Each case's whole trace (noise, every step's predictions, final latent, image)."""
    cases = []
    for ci, c in enumerate(specs):
        ids, mask = wp.encode(c["prompt"], config.CONTEXT_LENGTH)
        uids, umask = wp.encode("", config.CONTEXT_LENGTH)
        ids_t = torch.tensor([uids, ids])
        mask_t = torch.tensor([umask, mask])
        hidden, embeds = clip.text(ids_t, mask_t)
        shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
        noise = schedule.seeded_noise(c["seed"], shape)
        trace = []
        if c["scheduler"] == "ddim":
            final = schedule.sample_ddim(
                unet, hidden[1:], hidden[:1], noise, torch.from_numpy(abar).float(),
                c["steps"], c["guidance"], trace,
            )
        else:
            final = schedule.sample_euler(
                unet, hidden[1:], hidden[:1], noise, abar, c["steps"], c["guidance"], trace
            )
        image = vae.decoder(final / scale)
        p = f"case{ci}/"
        entry = dict(c)
        entry["input_ids"] = ids
        entry["attention_mask"] = mask
        entry["timesteps"] = [s["t"] for s in trace]
        entry["tensors"] = {
            "text_hidden": blob.add(p + "text_hidden", hidden.numpy()),
            "text_embeds": blob.add(p + "text_embeds", embeds.numpy()),
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
        cases.append(entry)
    return cases


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


# --- Main ------------------------------------------------------------------------------


def load_models():
    """The trained parts with the int8 round-trip weights that ship."""
    d, wp, vae, clip = train.load_frozen()
    state = train.load(train.ckpt_path("unet"))
    unet = UNet(ctx_dim=config.EMBED_DIM)
    unet.load_state_dict(state["ema"])
    unet.eval()
    for m in (vae, clip, unet):
        quantize_module(m)
    return d, wp, vae, clip, unet, state["scale"], state


def export_all():
    d, wp, vae, clip, unet, scale, ustate = load_models()
    out = config.MODELS_OUT
    if out.exists():
        shutil.rmtree(out)
    (out / "clip" / "onnx").mkdir(parents=True)
    L, S, C = config.CONTEXT_LENGTH, config.LATENT_SIZE, config.LATENT_CHANNELS
    R = config.IMAGE_SIZE
    batch = {0: "batch"}

    ids = torch.zeros(2, L, dtype=torch.long)
    mask = torch.ones(2, L, dtype=torch.long)
    _export(
        TextModel(clip), (ids, mask), out / "clip/onnx/text_model.onnx",
        ["input_ids", "attention_mask"], ["last_hidden_state", "text_embeds"],
        {"input_ids": batch, "attention_mask": batch, "last_hidden_state": batch, "text_embeds": batch},
    )
    _export(
        VisionModel(clip), (torch.zeros(2, 3, R, R),), out / "clip/onnx/vision_model.onnx",
        ["pixel_values"], ["image_embeds"], {"pixel_values": batch, "image_embeds": batch},
    )
    _export(
        vae.encoder, (torch.zeros(2, 3, R, R),), out / "vae_encoder.onnx",
        ["image"], ["latent_mean", "latent_logvar"],
        {"image": batch, "latent_mean": batch, "latent_logvar": batch},
    )
    _export(
        vae.decoder, (torch.zeros(2, C, S, S),), out / "vae_decoder.onnx",
        ["latent"], ["image"], {"latent": batch, "image": batch},
    )
    export_unet(unet, out / "unet.onnx")

    # The CLIP folder that transformers.js loads from local files.
    tokenizer.save(wp, out / "clip/tokenizer.json", L)
    (out / "clip/tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": L,
        "unk_token": "[UNK]", "pad_token": "[PAD]", "cls_token": "[CLS]", "sep_token": "[SEP]",
        "clean_up_tokenization_spaces": True,
    }, indent=1))
    (out / "clip/config.json").write_text(json.dumps({
        "model_type": "clip", "architectures": ["CLIPModel"],
        "projection_dim": config.EMBED_DIM,
        "text_config": {"model_type": "clip_text_model", "vocab_size": len(wp.vocab),
                        "hidden_size": config.EMBED_DIM, "max_position_embeddings": L,
                        "num_hidden_layers": len(clip.text.blocks), "num_attention_heads": 4,
                        "pad_token_id": tokenizer.PAD, "bos_token_id": tokenizer.CLS,
                        "eos_token_id": tokenizer.SEP, "projection_dim": config.EMBED_DIM},
        "vision_config": {"model_type": "clip_vision_model", "image_size": R,
                          "num_channels": 3, "projection_dim": config.EMBED_DIM},
    }, indent=1))
    (out / "clip/preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": "CLIPImageProcessor", "do_resize": True,
        "size": {"shortest_edge": R}, "do_center_crop": True, "crop_size": {"height": R, "width": R},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
        "resample": 3,
    }, indent=1))

    abar = schedule.alphas_cumprod()
    blob, index = golden(d, clip, vae, unet, wp, scale, abar)
    (out / "golden.bin").write_bytes(blob.bytes())
    tok_cases = [{"text": t, "ids": wp.encode(t, L)[0], "mask": wp.encode(t, L)[1]}
                 for t in tokenizer_prompts(d)]
    index["tensors"] = blob.index
    index["tokenizer"] = tok_cases
    (out / "golden.json").write_text(json.dumps(index, ensure_ascii=False))

    manifest = {
        "name": "emoji-diffusion",
        "version": 1,
        "smoke": config.SMOKE,
        "files": {},
        "image": {"size": R, "channels": 3, "range": [-1, 1]},
        "latent": {"channels": C, "size": S, "scale_factor": scale},
        "text": {"context_length": L, "hidden_size": config.EMBED_DIM, "embed_dim": config.EMBED_DIM,
                 "vocab_size": len(wp.vocab), "tokenizer": "WordPiece (BERT normalizer, lowercase)"},
        "schedule": {
            "num_train_timesteps": config.T,
            "beta_schedule": "scaled_linear",
            "beta_start": config.BETA_START,
            "beta_end": config.BETA_END,
            "prediction_type": config.PREDICTION_TYPE,
            "timestep_spacing": "trailing",
            "alphas_cumprod": [float(a) for a in abar],
        },
        "sampler": {
            "default": "ddim",
            "available": ["ddim", "euler"],
            "steps": config.DEFAULT_STEPS,
            "guidance": config.DEFAULT_GUIDANCE,
            "seed": config.DEFAULT_SEED,
            "prompt": config.DEFAULT_PROMPT,
        },
        "noise": {
            "generator": "xoshiro128** seeded by splitmix32; 53-bit uniforms; Marsaglia polar "
                         "method with a portable logarithm (training/schedule.py)",
        },
        "weights": "int8 per-output-channel (Cast + Mul), float32 arithmetic",
        "training": {"unet_steps": ustate["step"], "unet_minutes": round(ustate["elapsed"] / 60, 1)},
        "models": {"teacher": teacher_entry(unet)},
    }
    add_files(manifest, out, {
        "text_encoder": "clip/onnx/text_model.onnx",
        "image_encoder": "clip/onnx/vision_model.onnx",
        "vae_encoder": "vae_encoder.onnx",
        "vae_decoder": "vae_decoder.onnx",
        "unet": "unet.onnx",
        "tokenizer": "clip/tokenizer.json",
        "tokenizer_config": "clip/tokenizer_config.json",
        "clip_config": "clip/config.json",
        "preprocessor_config": "clip/preprocessor_config.json",
        "golden_index": "golden.json",
        "golden_tensors": "golden.bin",
    })
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"export: {total / 1e6:.2f} MB in {out}")


# --- The distilled student ------------------------------------------------------------------

STUDENT_GOLDEN_CASES = [
    {"model": "student", "prompt": "smiling cat", "seed": 42, "steps": 1, "guidance": 4.0, "scheduler": "ddim"},
    {"model": "student", "prompt": "red heart", "seed": 7, "steps": 2, "guidance": 2.0, "scheduler": "ddim"},
    {"model": "student", "prompt": "rocket", "seed": 3, "steps": 4, "guidance": 7.5, "scheduler": "ddim"},
]


def params(m):
    return sum(p.numel() for p in m.parameters())


def teacher_entry(unet):
    return {"unet": "unet", "steps": config.DEFAULT_STEPS, "guidance": config.DEFAULT_GUIDANCE,
            "channels": unet.ch, "params": params(unet)}


def load_student():
    """The student's EMA weights with the int8 round trip that ships, and its checkpoint."""
    from . import distill

    student, state = distill.load_student("student")
    quantize_module(student.net)
    return student, state


@torch.no_grad()
def student_golden_cases(blob, specs, clip, vae, student, wp, scale):
    """The student's traces as the site computes them: its graph's noise, then DDIM."""
    from .distill import StudentAsNoise

    graph = StudentAsNoise(student).eval()
    abar = schedule.alphas_cumprod()
    cases = []
    for ci, c in enumerate(specs):
        ids, mask = wp.encode(c["prompt"], config.CONTEXT_LENGTH)
        hidden, embeds = clip.text(torch.tensor([ids]), torch.tensor([mask]))
        shape = (1, config.LATENT_CHANNELS, config.LATENT_SIZE, config.LATENT_SIZE)
        noise = schedule.seeded_noise(c["seed"], shape)
        x, xs, epss, x0s, ts = noise.clone(), [], [], [], []
        g, n = torch.tensor([float(c["guidance"])]), torch.tensor([float(c["steps"])])
        for t, a_t, a_prev in schedule.ddim_coefficients(abar, c["steps"]):
            eps, _ = graph(x, torch.tensor([float(t)]), g, n, hidden)
            x_next, x0 = schedule.ddim_update(x, eps, a_t, a_prev)
            xs.append(x), epss.append(eps), x0s.append(x0), ts.append(t)
            x = x_next
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


def export_student():
    """Adds the student to the exported folder: its graph, its golden cases, its manifest
    entry. The teacher's files stay as they are."""
    from . import distill, shipped

    out = config.MODELS_OUT
    _, wp, clip, vae, teacher, scale = shipped.load(out)
    student, state = load_student()
    L, S, C = config.CONTEXT_LENGTH, config.LATENT_SIZE, config.LATENT_CHANNELS
    batch = {0: "batch"}
    path = out / "unet_student.onnx"
    _export(
        distill.StudentAsNoise(student),
        (torch.zeros(1, C, S, S), torch.full((1,), 999.0), torch.full((1,), 4.0), torch.full((1,), 2.0),
         torch.zeros(1, L, config.EMBED_DIM)),
        path,
        ["sample", "timestep", "guidance", "num_steps", "encoder_hidden_states"], ["noise_pred", "attention_maps"],
        {"sample": batch, "timestep": batch, "guidance": batch, "num_steps": batch, "encoder_hidden_states": batch,
         "noise_pred": batch, "attention_maps": batch},
    )
    _fix_output_shape(path, "attention_maps", ["batch", L, S, S])
    compact_onnx(path)  # what the reader downloads when first choosing the student

    blob = Blob()
    cases = student_golden_cases(blob, STUDENT_GOLDEN_CASES, clip, vae, student, wp, scale)
    (out / "golden_student.bin").write_bytes(blob.bytes())
    (out / "golden_student.json").write_text(json.dumps({"cases": cases, "tensors": blob.index}))

    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    add_files(manifest, out, {"unet_student": "unet_student.onnx", "golden_student_index": "golden_student.json",
                              "golden_student_tensors": "golden_student.bin"})
    stages = distill.training_stages(state)
    if stages[-1]["paths"] is None or stages[-1]["path_minutes"] is None:
        # Checkpoints that did not record them: the paths in this machine's cache.
        shards = [torch.load(p) for p in distill.shard_dir().glob("shard-*.pt")]
        timed = [sh["seconds"] for sh in shards if "seconds" in sh]
        if not timed:  # shards written before they recorded their time: from the files' times
            times = sorted(f.stat().st_mtime for f in distill.shard_dir().glob("shard-*.pt"))
            timed = [b - a for a, b in zip(times, times[1:])]
        stages[-1]["paths"] = stages[-1]["paths"] or sum(len(sh["ids"]) for sh in shards)
        stages[-1]["path_minutes"] = round(sum(timed) / len(timed) * len(shards) / 60, 1) if timed else 0
    manifest.setdefault("models", {})["teacher"] = teacher_entry(teacher)
    manifest["models"]["student"] = {
        "unet": "unet_student", "steps": distill.DEFAULT_STEPS, "guidance": config.DEFAULT_GUIDANCE,
        "channels": student.net.ch, "params": params(student), "distilled_from": "teacher",
        "guidance_input": True, "step_counts": list(distill.STEP_COUNTS),
        "guidance_range": list(distill.GUIDANCE_RANGE), "parameterization": student.param,
        "teacher_steps": distill.TEACHER_STEPS, "paths": sum(st["paths"] or 0 for st in stages),
        "train_steps": sum(st["steps"] for st in stages), "batch": stages[0]["batch"],
        "minutes": round(sum(st["minutes"] for st in stages), 1),
        "path_minutes": round(sum(st["path_minutes"] or 0 for st in stages), 1), "training": stages,
        "checkpoint": state.get("name", "student"),
        "method": "guidance folded in (Meng et al. 2023) and v-prediction (Salimans & Ho 2022); each step "
                  "count's jumps learned from the teacher's guided 16-step DDIM paths, the step count an input",
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    print(f"export: student, {path.stat().st_size / 1e6:.2f} MB")

"""The manifest (static/models/manifest.json): every file with its size, hash and graph I/O,
the shapes, the noise schedule, the sampler's defaults and the models. Its shape is written
once, as a JSON Schema (config.MANIFEST_SCHEMA, src/lib/pipeline/manifest.schema.json), which
every manifest written here is checked against; the site's TypeScript type is derived from
the same schema (src/lib/pipeline/manifest.ts; tests/unit/manifest-schema.test.ts).
"""
import hashlib
import json

import jsonschema
import onnx

from .. import config, schedule



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


def teacher_manifest(wp, scale, ustate, teacher):
    """The teacher's manifest, before its files are listed (add_files)."""
    abar = schedule.alphas_cumprod()
    return {
        "name": "emoji-diffusion",
        "version": 1,
        "smoke": config.SMOKE,
        "files": {},
        "image": {"size": config.IMAGE_SIZE, "channels": 3, "range": [-1, 1]},
        "latent": {"channels": config.LATENT_CHANNELS, "size": config.LATENT_SIZE, "scale_factor": scale},
        "text": {"context_length": config.CONTEXT_LENGTH, "hidden_size": config.EMBED_DIM,
                 "embed_dim": config.EMBED_DIM, "vocab_size": len(wp.vocab),
                 "tokenizer": "WordPiece (BERT normalizer, lowercase)"},
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
            "available": list(schedule.SAMPLERS),  # the schema's SchedulerName, in order
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
        "training": {"unet_steps": ustate["step"], "unet_minutes": round(ustate["elapsed"] / 60, 1),
                     "min_snr_gamma": config.MIN_SNR},
        "models": {"teacher": teacher_entry(teacher)},
    }


def params(m):
    return sum(p.numel() for p in m.parameters())


def teacher_entry(unet):
    return {"unet": "unet", "steps": config.DEFAULT_STEPS, "guidance": config.DEFAULT_GUIDANCE,
            "channels": unet.ch, "params": params(unet)}


def validate(manifest):
    """Raises jsonschema.ValidationError where the manifest does not have the schema's shape."""
    schema = json.loads(config.MANIFEST_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(manifest)


def read(out):
    return json.loads((out / "manifest.json").read_text())


def write(out, manifest):
    """Checks the manifest against its schema, then writes it."""
    validate(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))

"""ONNX graphs (opset 17) with int8-stored weights, and the same round trip in PyTorch.

Weights are stored as int8 with one float scale per output channel (Cast + Mul in the graph,
folded into float32 constants when onnxruntime loads the model): the arithmetic stays
float32, the download is a quarter of the size. The PyTorch reference that makes the golden
tensors uses exactly the same dequantized weights (quantize_module).
"""
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .. import config
from ..clip import TextModel, VisionModel

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
    export_float(module, args, path, inputs, outputs, dynamic)
    quantize_onnx(str(path))


def export_float(module, args, path, inputs, outputs, dynamic):
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


def export_teacher(out, clip, vae, unet):
    """The teacher's five graphs: CLIP's two towers, the VAE's two halves and the U-Net."""
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


def student_graph_io():
    """(example inputs, (input names, output names), dynamic axes) of the student's graph: what
    export_student traces with, and what shipped.load_student traces again to read it back."""
    L, S, C = config.CONTEXT_LENGTH, config.LATENT_SIZE, config.LATENT_CHANNELS
    batch = {0: "batch"}
    example = (torch.zeros(1, C, S, S), torch.full((1,), 999.0), torch.full((1,), 4.0), torch.full((1,), 2.0),
               torch.zeros(1, L, config.EMBED_DIM))
    names = (["sample", "timestep", "guidance", "num_steps", "encoder_hidden_states"], ["noise_pred", "attention_maps"])
    dynamic = {"sample": batch, "timestep": batch, "guidance": batch, "num_steps": batch,
               "encoder_hidden_states": batch, "noise_pred": batch, "attention_maps": batch}
    return example, names, dynamic


def export_student(student_as_noise, path):
    """The student's graph: inputs sample, timestep, guidance, num_steps and
    encoder_hidden_states; its noise prediction and attention maps; compacted."""
    L, S = config.CONTEXT_LENGTH, config.LATENT_SIZE
    example, names, dynamic = student_graph_io()
    _export(student_as_noise, example, path, *names, dynamic)
    _fix_output_shape(path, "attention_maps", ["batch", L, S, S])
    compact_onnx(path)  # what the reader downloads when first choosing the student

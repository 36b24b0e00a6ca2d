"""A BERT sentence encoder's safetensors weights as an ONNX graph, built without torch.

``edge models assemble`` calls :func:`convert` once per device: it reads the weights and the
model's ``config.json`` from the package that carries them and writes an ONNX graph (standard
opset-17 operators only) that onnxruntime runs. The graph does what sentence-transformers'
``encode(normalize_embeddings=True)`` does for all-MiniLM-L6-v2: BERT (post-LayerNorm, exact
erf GELU), mean pooling over the attention mask, then L2 normalisation. Its vectors match the
plain-numpy forward pass (``edge.engines.minilm_numpy``) to about 1e-7.

Inputs ``input_ids`` and ``attention_mask`` are int64 ``[batch, tokens]``; the output
``sentence_embedding`` is float32 ``[batch, hidden]``. The same weights give the same bytes:
the graph has no timestamps and its node names come from their position.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np

OPSET: Final = 17
"""ONNX operator set (LayerNormalization is standard from 17 on; onnxruntime >= 1.14 runs it)."""
IR_VERSION: Final = 8
MASKED: Final = -1e9
"""Added to attention scores of padding tokens (the numpy pass does the same)."""


def convert(parts: list[Path], out: Path) -> None:
    """Write the ONNX graph of the weights ``parts[0]`` (safetensors) with ``parts[1]`` (config).

    Raises:
        ValueError: the config is not a BERT encoder this builder knows.
    """
    import onnx
    from safetensors.numpy import load_file

    weights = load_file(str(parts[0]))
    config = json.loads(parts[1].read_text(encoding="utf-8"))
    onnx.save_model(build(weights, config), str(out))


def build(weights: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> Any:
    """The ``onnx.ModelProto`` of a BERT encoder with mean pooling and L2 normalisation."""
    import onnx
    from onnx import TensorProto, helper

    if (
        config.get("hidden_act", "gelu") != "gelu"
        or config.get("position_embedding_type", "absolute") != "absolute"
    ):
        raise ValueError("only BERT encoders with GELU and absolute positions are supported")
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    g = _Graph(weights)

    # Embeddings: word + position (the first `tokens` rows) + token type 0, then LayerNorm.
    x = g.op("Gather", g.weight("embeddings.word_embeddings.weight"), "input_ids")
    tokens = g.op("Shape", "input_ids", start=1, end=2)
    zero = g.const("zero", np.array([0], dtype=np.int64))
    positions = g.op("Slice", g.weight("embeddings.position_embeddings.weight"), zero, tokens, zero)
    token_type = g.const("token_type_0", weights["embeddings.token_type_embeddings.weight"][0])
    x = g.op("Add", g.op("Add", x, positions), token_type)
    x = g.layer_norm(x, "embeddings.LayerNorm", eps)

    # Padding never attends: (1 - mask) * MASKED, shaped [batch, 1, 1, tokens].
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    one = g.const("one", np.array(1.0, dtype=np.float32))
    bias = g.op("Mul", g.op("Sub", one, mask), g.const("masked", np.array(MASKED, np.float32)))
    bias = g.op("Unsqueeze", bias, g.const("axes_1_2", np.array([1, 2], dtype=np.int64)))
    split = g.const("split_heads", np.array([0, 0, heads, hidden // heads], dtype=np.int64))
    merge = g.const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = g.const("scale", np.array(1 / math.sqrt(hidden // heads), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    root2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))

    for i in range(layers):
        p = f"encoder.layer.{i}."

        def heads_of(name: str, perm: list[int], p: str = p, x: str = x) -> str:
            projected = g.linear(x, p + "attention.self." + name)
            return g.op("Transpose", g.op("Reshape", projected, split), perm=perm)

        q = heads_of("query", [0, 2, 1, 3])
        k = heads_of("key", [0, 2, 3, 1])
        v = heads_of("value", [0, 2, 1, 3])
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge)
        attended = g.op("Add", g.linear(context, p + "attention.output.dense"), x)
        x = g.layer_norm(attended, p + "attention.output.LayerNorm", eps)
        inner = g.linear(x, p + "intermediate.dense")
        # BERT's exact GELU: 0.5 x (1 + erf(x / sqrt 2)); onnxruntime fuses it.
        gelu = g.op(
            "Mul",
            g.op("Mul", inner, half),
            g.op("Add", g.op("Erf", g.op("Div", inner, root2)), one),
        )
        x = g.layer_norm(
            g.op("Add", g.linear(gelu, p + "output.dense"), x), p + "output.LayerNorm", eps
        )

    # Mean over real tokens, then unit length.
    weighted = g.op("Mul", x, g.op("Unsqueeze", mask, g.const("axis_2", np.array([2], np.int64))))
    axis_1 = g.const("axis_1", np.array([1], dtype=np.int64))
    summed = g.op("ReduceSum", weighted, axis_1, keepdims=0)
    count = g.op("ReduceSum", mask, axis_1, keepdims=1)
    tiny = g.const("tiny", np.array(1e-9, dtype=np.float32))
    pooled = g.op("Div", summed, g.op("Max", count, tiny))
    norm = g.op("ReduceL2", pooled, axes=[-1], keepdims=1)
    eps12 = g.const("eps12", np.array(1e-12, dtype=np.float32))
    g.op("Div", pooled, g.op("Max", norm, eps12), out="sentence_embedding")

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    att = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])
    out = helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])
    graph = helper.make_graph(g.nodes, "sentence_encoder", [ids, att], [out], g.initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="edge"
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


class _Graph:
    """Nodes and initializers being collected; names come from their order (reproducible)."""

    def __init__(self, weights: Mapping[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names: set[str] = set()

    def const(self, name: str, value: np.ndarray) -> str:
        if name not in self._names:
            from onnx import numpy_helper

            self._names.add(name)
            self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def weight(self, name: str, *, transpose: bool = False) -> str:
        value = self.weights[name]
        return self.const(name + (".T" if transpose else ""), value.T if transpose else value)

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        name = out or f"{op_type.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [name], name=name, **attrs))
        return name

    def linear(self, x: str, name: str) -> str:
        """``x @ W.T + b`` of a torch Linear (its weight is stored ``[out, in]``)."""
        product = self.op("MatMul", x, self.weight(name + ".weight", transpose=True))
        return self.op("Add", product, self.weight(name + ".bias"))

    def layer_norm(self, x: str, name: str, eps: float) -> str:
        gain, bias = self.weight(name + ".weight"), self.weight(name + ".bias")
        return self.op("LayerNormalization", x, gain, bias, axis=-1, epsilon=eps)

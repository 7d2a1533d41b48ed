"""Post-export ONNX transforms: fp16 (mixed, Cast-wrapped) and static int8 QDQ."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
FLOAT16 = TensorProto.FLOAT16


def constants_to_initializers(model):
    g = model.graph
    keep = []
    for n in g.node:
        if n.op_type == 'Constant' and len(n.attribute) == 1 and n.attribute[0].name == 'value':
            arr = numpy_helper.to_array(n.attribute[0].t)
            g.initializer.append(numpy_helper.from_array(arr, n.output[0]))
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)
    return model


def _float_tensors(model):
    inf = onnx.shape_inference.infer_shapes(model)
    types = {}
    for vi in list(inf.graph.value_info) + list(inf.graph.input) + list(inf.graph.output):
        types[vi.name] = vi.type.tensor_type.elem_type
    for i in inf.graph.initializer:
        types[i.name] = i.data_type
    return {k for k, v in types.items() if v == FLOAT}


def to_fp16(model, keep_fp32=None):
    """Weights and compute in fp16 for nodes where keep_fp32(node) is False; graph I/O stays
    float32 (Casts inserted at every precision boundary). Default keeps in fp32: anything
    outside '/net/' (the strength blend, so strength 0 is exact) and LayerNorm ('/norm')."""
    if keep_fp32 is None:
        def keep_fp32(n):
            return not n.name.startswith('/net/') or '/norm' in n.name
    model = onnx.ModelProto.FromString(model.SerializeToString())
    constants_to_initializers(model)
    g = model.graph
    floats = _float_tensors(model)
    inits = {i.name: i for i in g.initializer}
    prec = {i.name: FLOAT for i in g.input}
    new_inits, casts, new_nodes, used32 = {}, {}, [], set()
    for node in g.node:
        p = FLOAT if keep_fp32(node) else FLOAT16
        for k, name in enumerate(node.input):
            if not name or name not in floats:
                continue
            if name in inits:
                if p == FLOAT16:
                    nn_ = name + '__fp16'
                    if nn_ not in new_inits:
                        arr = numpy_helper.to_array(inits[name]).astype(np.float16)
                        new_inits[nn_] = numpy_helper.from_array(arr, nn_)
                    node.input[k] = nn_
                else:
                    used32.add(name)
            elif prec.get(name, FLOAT) != p:
                key = (name, p)
                if key not in casts:
                    cn = f'{name}__to{"16" if p == FLOAT16 else "32"}'
                    new_nodes.append(helper.make_node('Cast', [name], [cn], to=p, name=cn + '_Cast'))
                    casts[key] = cn
                node.input[k] = casts[key]
        for o in node.output:
            if o in floats:
                prec[o] = p
        new_nodes.append(node)
    for out in g.output:
        if prec.get(out.name, FLOAT) != FLOAT:
            raise RuntimeError('graph output produced in fp16; adjust keep_fp32')
    keep_inits = [i for i in g.initializer if i.name in used32 or i.name not in floats]
    # drop initializers nobody uses anymore
    used = {n_ for node in new_nodes for n_ in node.input}
    keep_inits = [i for i in keep_inits if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep_inits + list(new_inits.values()))
    del g.node[:]
    g.node.extend(new_nodes)
    del g.value_info[:]
    return model


def qparams_uint8(lo, hi):
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = max((hi - lo) / 255.0, 1e-8)
    zp = int(np.clip(np.round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def to_qdq(model, act_ranges, float_convs=()):
    """Static QDQ: uint8 per-tensor activations (on every Conv input and output), int8 per-output-
    channel symmetric Conv weights, int32 bias (scale = s_x * s_w). act_ranges: tensor -> (lo, hi)
    measured on the fp32 graph. Everything else (LayerNorm, gates, residuals) stays float, and so do
    the Conv nodes named in float_convs (e.g. the first and last layer: 3-channel, cheap, and the
    ones where an 8-bit step costs the most precision)."""
    float_convs = set(float_convs)
    model = onnx.ModelProto.FromString(model.SerializeToString())
    constants_to_initializers(model)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    new_inits, new_nodes = [], []
    dq_of = {}  # activation tensor -> its DQ output name
    dq_src = {}  # DQ output name -> activation tensor

    def act_qdq(name, scale_zp_nodes):
        if name in dq_of:
            return dq_of[name]
        s, z = qparams_uint8(*act_ranges[name])
        sn, zn = name + '__scale', name + '__zp'
        new_inits.append(numpy_helper.from_array(np.array(s, np.float32), sn))
        new_inits.append(numpy_helper.from_array(np.array(z, np.uint8), zn))
        qn, dqn = name + '__q', name + '__dq'
        scale_zp_nodes.append(helper.make_node('QuantizeLinear', [name, sn, zn], [qn], name=qn + '_Q'))
        scale_zp_nodes.append(helper.make_node('DequantizeLinear', [qn, sn, zn], [dqn], name=dqn + '_DQ'))
        dq_of[name] = dqn
        dq_src[dqn] = name
        return dqn

    conv_outputs = {n.output[0] for n in g.node if n.op_type == 'Conv' and n.name not in float_convs}
    rename = {}  # original conv output -> dq name (consumers rewired)
    for node in g.node:
        for k, name in enumerate(node.input):
            if name in rename:
                node.input[k] = rename[name]
        if node.op_type == 'Conv' and node.name not in float_convs:
            x = node.input[0]
            if x in dq_src:          # already the DQ output of a quantized conv output
                x_dq, x = x, dq_src[x]
            else:
                x_dq = act_qdq(x, new_nodes)
            node.input[0] = x_dq
            w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            ws = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(1) / 127.0, 1e-8).astype(np.float32)
            wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
            base = node.name.strip('/').replace('/', '_')
            wn = base + '__w'
            node.input[1] = _per_channel_dq(wn, wq, ws, np.int8, new_inits, new_nodes)
            if len(node.input) > 2 and node.input[2]:
                b = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
                xs, _ = qparams_uint8(*act_ranges[x])
                bs = (np.float32(xs) * ws).astype(np.float32)
                bq = np.round(b / bs).astype(np.int32)
                bn = base + '__b'
                node.input[2] = _per_channel_dq(bn, bq, bs, np.int32, new_inits, new_nodes)
            new_nodes.append(node)
            y = node.output[0]
            rename[y] = act_qdq(y, new_nodes)
            continue
        new_nodes.append(node)
    for out in g.output:
        assert out.name not in conv_outputs, 'graph output directly from Conv not supported'
    used = {n_ for node in new_nodes for n_ in node.input}
    keep = [i for i in g.initializer if i.name in used] + new_inits
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(new_nodes)
    del g.value_info[:]
    return model


def _per_channel_dq(name, q, scale, zp_dtype, new_inits, new_nodes):
    """Stores quantized values with per-output-channel scales (zero point 0) and a DequantizeLinear; returns its output."""
    new_inits += [numpy_helper.from_array(q, name + '_q'),
                  numpy_helper.from_array(scale, name + '_scale'),
                  numpy_helper.from_array(np.zeros(q.shape[0], zp_dtype), name + '_zp')]
    new_nodes.append(helper.make_node('DequantizeLinear', [name + '_q', name + '_scale', name + '_zp'],
                                      [name + '_dq'], axis=0, name=name + '_DQ'))
    return name + '_dq'

#!/usr/bin/env python3
"""Export a trained model (denoiser, deblurrer, damage detector, fill, colour) to ONNX (fp32, fp16, int8 QDQ) and
merge its manifest entry. The task comes from the checkpoint's config (``task``, default denoise);
each task's ONNX contract (inputs, wrapper, calibration data) is in CONTRACTS below.

python3 training/export.py --checkpoint training/runs/denoise-nafnet-w16/final.pth \
    [--config training/configs/denoise.yaml] [--out public/models] [--calib-data DIR] \
    [--metrics metrics.json] [--skip-tiling]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import cv2
import numpy as np
import onnx
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from heirloom_train.archs import HeirloomDamageDetector, HeirloomDenoiser, HeirloomFill, load_checkpoint  # noqa: E402
from heirloom_train.archs.colour_curves import GRID, KNOTS, THUMB  # noqa: E402
from heirloom_train.data import damage as D  # noqa: E402
from heirloom_train.data.blur import training_blur  # noqa: E402
from heirloom_train.data.dataset import list_images, read_rgb  # noqa: E402
from heirloom_train.data.degradations import CounterRNG, gaussian, realistic  # noqa: E402
from heirloom_train.onnx_convert import to_fp16, to_qdq  # noqa: E402
from heirloom_train.onnx_np import OnnxNp  # noqa: E402
from heirloom_train.utils import count_macs_per_pixel, load_config, read_checkpoint  # noqa: E402
from manifest_io import merge_manifest_entry  # noqa: E402

DAMAGE_DEG = ('synthetic damage, training/heirloom_train/data/damage.py: scratches (bright/dark, 1-8 px, '
              'straight/curved/branching), dust and fibres, emulsion cracks, folds, stain rims, torn corners and '
              'holes, on aged backgrounds (monochrome, sepia, faded colour, grain, mild blur)')
DENOISE_DEG = ('blind mix: 65% Gaussian sigma 0-55 (unclipped), 10% Poisson-Gaussian, '
               '20% realistic (luminance-dependent correlated film grain + chroma noise, 8-bit, JPEG q30-95), '
               '5% JPEG q20-95; training/heirloom_train/data/degradations.py')

STRENGTH_TASKS = ('denoise', 'deblur')  # output = input + strength * (net(input) - input)

# What each task's ONNX file takes and gives (the engine's ModelRunner reads io from the manifest).
CONTRACTS = {
    'denoise': {'wrap': HeirloomDenoiser, 'inputs': ['input', 'strength'], 'title': 'Noise, grain and JPEG reduction',
                'io': {'input': 'input', 'strength': 'strength', 'output': 'output'}, 'degradations': DENOISE_DEG},
    'deblur': {'wrap': HeirloomDenoiser, 'inputs': ['input', 'strength'], 'title': 'Blur reduction (defocus, camera shake)',
               'io': {'input': 'input', 'strength': 'strength', 'output': 'output'},
               'degradations': 'blind blur, training/heirloom_train/data/blur.py: 40% defocus disk r 1-6, 20% Gaussian '
                               'sigma 0.5-3, 40% camera-shake motion 3-21 px (12% of crops left sharp), then noise '
                               'sigma 0-6 and JPEG q50-95 on a third'},
    'detect': {'wrap': HeirloomDamageDetector, 'inputs': ['input'],
               'title': 'Scratch, dust and tear detector (defect / missing probabilities)',
               'io': {'input': 'input', 'output': 'output', 'outputChannels': 2}, 'degradations': DAMAGE_DEG},
    'fill': {'wrap': HeirloomFill, 'inputs': ['input', 'mask'], 'title': 'Fill of scratches, specks and holes',
             'io': {'input': 'input', 'mask': 'mask', 'output': 'output'}, 'degradations': DAMAGE_DEG},
    # Not tiled: runs once on a THUMB x THUMB copy of the photo; the engine applies the curves and gains.
    'colour': {'wrap': lambda net: net, 'inputs': ['input'], 'outputs': ['curves', 'gains'],
               'title': 'Faded colour and colour casts (tone curves and coarse gains from a thumbnail)',
               'io': {'input': 'input', 'output': 'curves', 'gains': 'gains', 'thumbnail': THUMB, 'knots': KNOTS,
                      'grid': GRID},
               'degradations': 'colour ageing, training/heirloom_train/data/fading.py: dye fading (cyan first), '
                               'yellowing, lost range, bleaching, toned monochrome, uneven fading; 15-45% of crops '
                               'left unchanged, in later fine-tunes 40% of photos given other, stronger colours first '
                               '(data/dataset.py vivid)'},
}


def example_feeds(task, x):
    """ONNX feeds for a [1,3,H,W] image (plus a deterministic mask / strength)."""
    feeds = {'input': x}
    if task in STRENGTH_TASKS:
        feeds['strength'] = np.array([0.8], np.float32)
    if task == 'fill':
        h, w = x.shape[2:]
        yy, xx = np.mgrid[0:h, 0:w]
        feeds['mask'] = (((xx - w / 3) ** 2 + (yy - h / 2) ** 2 < (min(h, w) / 5) ** 2) | (np.abs(yy - xx) < 1.5)) \
            .astype(np.float32)[None, None]
    return feeds


def reference_feeds(task, mult):
    """The fixed feeds a model's ONNX files are checked on against PyTorch (seed 0, values a little
    outside [0, 1]; a thumbnail for the colour model, 3 x 5 size multiples otherwise)."""
    shape = (1, 3, THUMB, THUMB) if task == 'colour' else (1, 3, 3 * mult, 5 * mult)
    return example_feeds(task, np.random.default_rng(0).random(shape).astype(np.float32) * 1.1 - 0.05)


@torch.no_grad()
def torch_outputs(model, task, feeds):
    """The contract-wrapped model's outputs on ONNX feeds, as a list of arrays."""
    out = model(*(torch.from_numpy(feeds[n]) for n in CONTRACTS[task]['inputs']))
    return [o.numpy() for o in out] if isinstance(out, tuple) else [out.numpy()]


def onnx_max_error(graph, feeds, ref):
    """Largest |ONNX - reference| over every output (the numpy interpreter runs the graph)."""
    return max(float(np.abs(o - r).max()) for o, r in zip(OnnxNp(graph).run(feeds), ref))


def tile_fn(task, model):
    """The model as the engine's tiler sees it: one tensor per tile, a mask as its last channel."""
    if task in STRENGTH_TASKS:
        return lambda t: model(t, torch.ones(1))
    if task == 'fill':
        return lambda t: model(t[:, :3], t[:, 3:])
    return model


def load_model(checkpoint, config=None):
    cfg = load_config(config) if config else None
    net, ck = load_checkpoint(checkpoint, cfg)
    return net, cfg or ck['config'], ck


def export_fp32(model, path, task='denoise', opset=13):
    feeds = example_feeds(task, np.random.default_rng(0).random((1, 3, 64, 64)).astype(np.float32))
    names = CONTRACTS[task]['inputs']
    outputs = CONTRACTS[task].get('outputs', ['output'])
    axes = {} if task == 'colour' else {n: {2: 'height', 3: 'width'} for n in names + outputs if n != 'strength'}
    torch.onnx.export(model, tuple(torch.from_numpy(feeds[n]) for n in names), path, opset_version=opset,
                      input_names=names, output_names=outputs, dynamic_axes=axes, do_constant_folding=True)
    m = onnx.load(path)
    m.producer_name = 'heirloom-training'
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def calibration_crops(folder, n=24, size=128, seed=1234, task='denoise'):
    """Deterministic feeds from crops of real photos. Denoise: even k -> Gaussian sigma in 5-50,
    odd k -> the realistic mix (grain/chroma/8-bit, no JPEG). Detect / fill: synthetic damage."""
    paths = list_images(folder)
    rng = CounterRNG(seed, stream=0)
    crops = []
    for k in range(n):
        img = read_rgb(paths[int(rng.uniform() * len(paths))])
        H, W = img.shape[:2]
        y = int(rng.uniform() * (H - size + 1))
        x = int(rng.uniform() * (W - size + 1))
        c = img[y:y + size, x:x + size].astype(np.float64) / 255.0
        r = CounterRNG(seed, stream=1000 + k)
        chw = lambda a: a.astype(np.float32).transpose(2, 0, 1)[None]  # noqa: E731
        if task == 'detect':
            crops.append({'input': chw(D.detector_example(c, r)[0])})
        elif task == 'fill':
            damaged, _, mask = D.fill_example(c, r)
            crops.append({'input': chw(damaged), 'mask': mask.astype(np.float32)[None, None]})
        elif task == 'deblur':
            crops.append({'input': chw(training_blur(c, r)[0]), 'strength': np.ones(1, np.float32)})
        elif task == 'colour':
            from heirloom_train.data.fading import fade
            crops.append({'input': chw(cv2.resize(fade(c, r)[0], (THUMB, THUMB), interpolation=cv2.INTER_AREA))})
        elif k % 2 == 0:
            crops.append({'input': chw(gaussian(c, r, sigma=5 + 45 * rng.uniform())), 'strength': np.ones(1, np.float32)})
        else:
            crops.append({'input': chw(realistic(c, r, jpeg_enabled=False)), 'strength': np.ones(1, np.float32)})
    return crops


def calibrate(fp32_model, crops, percentile=99.99, per_tensor_samples=200000):
    rt = OnnxNp(fp32_model)
    conv_tensors = set()
    for n in fp32_model.graph.node:
        if n.op_type == 'Conv':
            conv_tensors.add(n.input[0])
            conv_tensors.add(n.output[0])
    samples = {t: [] for t in conv_tensors}
    mins = {t: np.inf for t in conv_tensors}
    maxs = {t: -np.inf for t in conv_tensors}
    gen = np.random.default_rng(0)
    for c in crops:
        env = rt.run(c, keep_all=True)
        for t in sorted(conv_tensors):  # a set's order changes per process (string hashing): sorted, so exports repeat
            v = env[t].ravel()
            mins[t] = min(mins[t], float(v.min()))
            maxs[t] = max(maxs[t], float(v.max()))
            k = max(1, per_tensor_samples // len(crops))
            samples[t].append(v[gen.integers(0, v.size, k)] if v.size > k else v)
    ranges = {}
    for t in conv_tensors:
        if percentile >= 100:
            ranges[t] = (mins[t], maxs[t])
        else:
            v = np.concatenate(samples[t])
            ranges[t] = (float(np.percentile(v, 100 - percentile)), float(np.percentile(v, percentile)))
    return ranges


def receptive_field(net, size=512):
    """Theoretical receptive field (px, full width) from the support of d out[center] / d input."""
    x = torch.rand(1, getattr(net, 'in_ch', 3), size, size, requires_grad=True)
    net.zero_grad()
    y = net(x)
    y[0, :, size // 2, size // 2].sum().backward()
    g = x.grad[0].abs().sum(0)
    ys, xs = torch.nonzero(g > 0, as_tuple=True)
    h = int(ys.max() - ys.min() + 1)
    w = int(xs.max() - xs.min() + 1)
    touches = int(ys.min()) == 0 or int(xs.min()) == 0 or int(ys.max()) == size - 1 or int(xs.max()) == size - 1
    return max(h, w), touches


def plan_axis(length, tile, overlap, m):
    """Twin of planAxis() in src/engine/tiling.ts with feather 0: (padded, size, starts, valid), or None
    when the tile is too small for the overlap. Like the engine it takes, of the tile sizes that need no
    more tiles than `tile` does, the smallest (tests/unit/engine-twins.test.ts holds the two equal)."""
    padded = -(-length // m) * m
    size = min(-(-tile // m) * m, padded)
    if size == padded:
        return padded, size, [0], [(0, padded)]

    def stride_of(t):
        return (t - 2 * overlap) // m * m

    def fits(t):
        return stride_of(t) > 0 and 2 * stride_of(t) >= t - 2 * overlap

    def starts_of(t):
        starts, s = [], 0
        while True:
            if s + t >= padded:
                starts.append(padded - t)
                return starts
            starts.append(s)
            s += stride_of(t)

    if not fits(size):
        return None
    starts = starts_of(size)
    t = size - m
    while t > 2 * overlap and fits(t):
        fewer = starts_of(t)
        if len(fewer) > len(starts):
            break
        size, starts = t, fewer
        t -= m
    valid = [(0 if k == 0 else st + overlap, padded if k == len(starts) - 1 else st + size - overlap)
             for k, st in enumerate(starts)]
    return padded, size, starts, valid


@torch.no_grad()
def tiled_max_error(model, t, whole, tile, overlap, m):
    """Max |tile output - whole output| over every tile's trusted (valid) region."""
    _, _, H, W = t.shape
    py, px = plan_axis(H, tile, overlap, m), plan_axis(W, tile, overlap, m)
    if py is None or px is None:
        return None
    err = 0.0
    for sy, (vy0, vy1) in zip(py[2], py[3]):
        for sx, (vx0, vx1) in zip(px[2], px[3]):
            o = model(t[:, :, sy:sy + py[1], sx:sx + px[1]])
            d = o[:, :, vy0 - sy:vy1 - sy, vx0 - sx:vx1 - sx] - whole[:, :, vy0:vy1, vx0:vx1]
            err = max(err, float(d.abs().max()))
    return err


def measure_tile_overlap(fn, mult, image_u8, task='denoise', tile=256, sigma=25, max_margin=96):
    """Smallest margin (multiple of 8) from which on the tiled fp32 output (engine tiling plan,
    no feathering, tile 256 on a reflect-padded degraded photo) stays within 1/255 of one whole run.
    ``fn`` takes one tensor per tile (tile_fn)."""
    x = image_u8.astype(np.float64) / 255.0
    if task == 'deblur':
        t = torch.from_numpy(training_blur(x, CounterRNG(0, 0))[0].astype(np.float32)).permute(2, 0, 1)[None]
    elif task == 'denoise':
        t = torch.from_numpy(gaussian(x, CounterRNG(0, 0), sigma).astype(np.float32)).permute(2, 0, 1)[None]
    else:
        damaged, _, defect, missing = D.damage(x, CounterRNG(0, 0))
        t = torch.from_numpy(damaged.astype(np.float32)).permute(2, 0, 1)[None]
        if task == 'fill':
            t = torch.cat([t, torch.from_numpy((defect | missing).astype(np.float32))[None, None]], 1)
    H, W = t.shape[2:]
    t = F.pad(t, (0, (-W) % mult, 0, (-H) % mult), mode='reflect')
    with torch.no_grad():
        whole = fn(t)
    errs = {}
    for m in range(8, max_margin + 1, 8):
        e = tiled_max_error(fn, t, whole, tile, m, mult)
        if e is None:
            break
        errs[m] = e
    ok = [m for m in errs if all(errs[k] < 1 / 255 for k in errs if k >= m)]
    return (min(ok) if ok else None), errs


def lineage(ck):
    """Steps and minutes of the chain of runs a checkpoint was fine-tuned from (train.py --init),
    followed as far as their checkpoints are still on disk."""
    steps, minutes = 0, 0.0
    init = (ck.get('config') or {}).get('init')
    while init:
        steps += int(init.get('steps') or 0)
        minutes += float(init.get('minutes') or 0)
        path = init.get('checkpoint')
        if not path or not os.path.exists(path):
            break
        init = (read_checkpoint(path).get('config') or {}).get('init')
    return {'steps': steps, 'minutes': minutes}


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def git_commit():
    try:
        root = subprocess.check_output(['git', 'rev-parse', '--show-toplevel'], cwd=HERE, text=True).strip()
        dirty = subprocess.check_output(['git', 'status', '--porcelain', '--', 'training'], cwd=root, text=True)
        if dirty.strip():
            return 'uncommitted'
        return subprocess.check_output(['git', 'rev-parse', '--short', 'HEAD'], cwd=root, text=True).strip()
    except Exception:
        return 'uncommitted'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--config', help='default: the config stored in the checkpoint')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(HERE), 'public', 'models'))
    ap.add_argument('--id', help='model id (default config model_id)')
    ap.add_argument('--calib-data', help='folder of photos for int8 calibration (default config data.train)')
    ap.add_argument('--calib-crops', type=int, default=24)
    ap.add_argument('--calib-percentile', type=float, default=99.99, help='>= 100 means min/max')
    ap.add_argument('--int8-all-convs', action='store_true',
                    help='quantize the full-resolution level too (default: it stays fp32)')
    ap.add_argument('--tile-image', help='photo for the tile-overlap measurement (default: first val image)')
    ap.add_argument('--skip-tiling', action='store_true', help='skip RF/overlap measurement (smoke)')
    ap.add_argument('--metrics', help='JSON file whose object becomes the entry metrics')
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--threshold', type=float,
                    help='detector: default probability threshold (tools/detector_threshold.py picks it)')
    ap.add_argument('--no-manifest', action='store_true')
    ap.add_argument('--recipe', help='how the checkpoint was made, for the manifest (default: the task\'s config); '
                                     'a chain of fine-tunes names its configs, the README has the commands')
    args = ap.parse_args()
    torch.set_num_threads(2)
    t_start = time.time()

    net, cfg, ck = load_model(args.checkpoint, args.config)
    task = cfg.get('task', 'denoise')
    contract = CONTRACTS[task]
    mid = args.id or cfg.get('model_id', cfg['name'])
    os.makedirs(args.out, exist_ok=True)
    model = contract['wrap'](net).eval()
    params, macs = count_macs_per_pixel(net)
    mult = net.size_multiple
    paths = {p: os.path.join(args.out, f'{mid}-{p}.onnx') for p in ('fp32', 'fp16', 'int8')}

    m32 = export_fp32(model, paths['fp32'], task)
    feeds = reference_feeds(task, mult)
    xt = feeds['input']
    ref = torch_outputs(model, task, feeds)

    def maxerr(m):
        return onnx_max_error(m, feeds, ref)
    report = {}
    report['fp32_maxerr'] = maxerr(m32)

    m16 = to_fp16(m32)
    onnx.checker.check_model(m16)
    onnx.save(m16, paths['fp16'])
    report['fp16_maxerr'] = maxerr(m16)

    calib_dir = args.calib_data or cfg['data']['train']
    crops = calibration_crops(calib_dir, n=args.calib_crops, task=task)
    ranges = calibrate(m32, crops, args.calib_percentile)
    # The full-resolution level stays fp32: the first conv (image in), the last (residual out), the
    # first encoder level, the last decoder level and the upsampling into it; ~18% of the MACs, and
    # where an 8-bit step costs most: keeping it in fp32 more than halves the int8 loss against fp32
    # (measured on the denoiser: docs/models/denoise.md).
    convs = [n.name for n in m32.graph.node if n.op_type == 'Conv']
    levels = len({c.split('/')[2] for c in convs if c.startswith('/net/encoders.')})
    full_res = [c for c in convs if c.startswith(('/net/encoders.0/', f'/net/decoders.{levels - 1}/', f'/net/ups.{levels - 1}/'))]
    m8 = to_qdq(m32, ranges, float_convs=[] if args.int8_all_convs else [convs[0], convs[-1], *full_res])
    onnx.checker.check_model(m8)
    onnx.save(m8, paths['int8'])
    report['int8_maxerr'] = maxerr(m8)
    for name, m in (('int8', m8), ('fp16', m16)):
        if task in STRENGTH_TASKS:  # strength 0 gives the input back exactly
            z0 = OnnxNp(m).run({'input': xt, 'strength': np.zeros(1, np.float32)})[0]
            report[f'{name}_strength0_exact'] = bool(np.array_equal(z0, xt))
        if task == 'fill':  # nothing outside the mask changes
            out = OnnxNp(m).run(feeds)[0]
            keep = np.broadcast_to(feeds['mask'] == 0, out.shape)
            report[f'{name}_outside_mask_exact'] = bool(np.array_equal(out[keep], xt[keep]))
    for k, v in report.items():
        print(f'{k}: {v}', flush=True)
    if report['fp32_maxerr'] > 1e-3:
        raise SystemExit('fp32 ONNX does not match PyTorch')
    if task == 'fill' and not (report['int8_outside_mask_exact'] and report['fp16_outside_mask_exact']):
        raise SystemExit('the fill changes pixels outside its mask')

    rf, overlap = None, None
    if not args.skip_tiling and task != 'colour':
        rf, touches = receptive_field(net)
        img_path = args.tile_image or list_images(cfg['data'].get('val') or cfg['data']['train'])[0]
        overlap, errs = measure_tile_overlap(tile_fn(task, model), mult, read_rgb(img_path), task)
        print(f'receptive field {rf}px{" (>= measurement window)" if touches else ""}; tiled max err by '
              f'margin: ' + ', '.join(f'{m}:{e:.4f}' for m, e in errs.items()), flush=True)
        print(f'tileOverlap (max err < 1/255 from here on): {overlap}', flush=True)
        if overlap is None:
            overlap = max(errs)
        overlap = int(np.ceil(overlap / 8) * 8)

    if args.no_manifest:
        print(f'exported in {time.time() - t_start:.0f}s (manifest not touched)')
        return
    # A fine-tuned run (train.py --init) counts the steps and time of the runs it started from.
    init = lineage(ck)
    entry = {
        'id': mid, 'task': task, 'version': args.version, 'title': contract['title'],
        'licence': 'MIT (trained by Heirloom on CBSD432)',
        'io': {**contract['io'], 'layout': 'NCHW', 'channels': 3, 'range': [0, 1]},
        'sizeMultiple': mult, 'receptiveField': rf, 'tileOverlap': overlap or 0,
        'preferredTile': THUMB if task == 'colour' else 512,
        'parameters': int(params), 'macsPerPixel': int(round(macs)),
        **({'threshold': args.threshold} if args.threshold is not None else {}),
        'variants': [
            {'backend': 'wasm', 'precision': 'int8', 'file': os.path.basename(paths['int8'])},
            {'backend': 'webgpu', 'precision': 'fp32', 'file': os.path.basename(paths['fp32'])},
            {'backend': 'webgpu', 'precision': 'fp16', 'file': os.path.basename(paths['fp16']),
             'requires': 'shader-f16'}],
        'provenance': {'data': 'CBSD432 (432 photos), random crops', 'degradations': contract['degradations'],
                       'recipe': args.recipe or f'training/configs/{task}.yaml', 'commit': git_commit(),
                       'steps': int(ck['step']) + init['steps'],
                       'trainingMinutes': round(float(ck['elapsed']) / 60 + init['minutes'], 1),
                       'hardware': '2 CPU cores'},
        'metrics': {}}
    for v in entry['variants']:
        p = os.path.join(args.out, v['file'])
        req = v.pop('requires', None)
        v['sha256'] = sha256(p)
        v['bytes'] = os.path.getsize(p)
        if req:
            v['requires'] = req
    if args.metrics:
        with open(args.metrics) as f:
            entry['metrics'] = json.load(f)
    merge_manifest_entry(os.path.join(args.out, 'manifest.json'), entry, keep_metrics=True)
    print(f'manifest updated: {os.path.join(args.out, "manifest.json")} ({time.time() - t_start:.0f}s)')


if __name__ == '__main__':
    main()

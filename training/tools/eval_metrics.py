#!/usr/bin/env python3
"""Gathers the JSON lines ``npm run eval -- ... --json`` prints into the ``metrics`` object of a
manifest entry (export.py --metrics FILE): one key per evaluated set (the folder name of its
``data``), holding the eval's per-method means, rounded. Nothing is typed in by hand.

python3 training/tools/eval_metrics.py --protocol "how the sets were made" --out metrics.json LOG [LOG ...]
    [--manifest-id ID]   # also set them as that entry's metrics in public/models/manifest.json
    [--classical-from ID]  # rows named classical:* a log lacks, taken from that shipped entry's metrics
LOG: a file holding an eval's output; its last line starting with '{' is the JSON result.

--classical-from is for a new version of a model evaluated with ``--methods`` on the same sets: the
classical rows never call the model, so the shipped entry's numbers for them still hold (only sets
the shipped entry has are filled, and the protocol says where they came from).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from manifest_io import SHIPPED_MANIFEST, manifest_entry, set_manifest_metrics  # noqa: E402


def rounded(v):
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items() if k != 'ms'}
    if isinstance(v, float):
        return round(v, 5 if abs(v) < 0.01 else 4 if abs(v) < 1 else 3)
    return v


def detector_means(detectors):
    """The detect eval's per-detector result, flattened to the manifest's names."""
    return {name: {'defectF1': d['defect']['f1'], 'defectPrecision': d['defect']['precision'],
                   'defectRecall': d['defect']['recall'], 'missingIoU': d['missingIoU'],
                   'falseAlarmShare': d['falseAlarm']} for name, d in detectors.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--protocol', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--manifest-id', help='also write the metrics into this entry of public/models/manifest.json')
    ap.add_argument('--classical-from', help='copy missing classical:* rows from this shipped entry\'s metrics')
    ap.add_argument('logs', nargs='+')
    args = ap.parse_args()
    metrics = {'protocol': args.protocol}
    carried = {}
    if args.classical_from:
        shipped = manifest_entry(SHIPPED_MANIFEST, args.classical_from)
        carried = shipped.get('metrics', {})
        metrics['protocol'] += (f"; classical:* rows carried from the shipped {args.classical_from} {shipped.get('version')}"
                                " entry's metrics (they do not run the model)")
    for path in args.logs:
        with open(path) as f:
            result = json.loads([line for line in f if line.startswith('{')][-1])
        entry = rounded(result['mean'] if 'mean' in result else detector_means(result['detectors']))
        if 'analysis' in result:  # what the analysis proposes for the set (deblur)
            entry['analysis'] = rounded(result['analysis'])
        key = os.path.basename(os.path.normpath(result['data']))
        for name, row in carried.get(key, {}).items():
            if name.startswith('classical:') and name not in entry:
                entry[name] = row
        metrics[key] = entry
    with open(args.out, 'w') as f:
        json.dump(metrics, f, indent=1)
    print(f'{len(args.logs)} evaluations -> {args.out}')
    if args.manifest_id:
        set_manifest_metrics(SHIPPED_MANIFEST, args.manifest_id, metrics)
        print(f'manifest: metrics of {args.manifest_id} set')


if __name__ == '__main__':
    main()

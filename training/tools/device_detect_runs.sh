#!/bin/bash
# Three detector trainings sharing the lent GPU machine in one device call (one H100, 16 cores), then
# each run's weights slimmed into $OUT (the tool brings back at most 8 files of 16 MiB each).
# Needs the folder made by tools/pack_for_device.py (carry it), holding CBSD432/, detect-scene.pth and
# detect-wide.pth. Check the road first with MIN=0.5 (a call of ~1.5 min) before a long run:
# the first attempt here lost its whole lease to worker processes that hung (data/parallel.py).
#   device run: MIN=7 PACK=.gpu bash training/tools/device_detect_runs.sh   (carry [".gpu"])
MIN=${MIN:-7}; PACK=${PACK:-.gpu}; DEV=${DEV:-cuda}; OUT=${OUT:-/tmp/device-out}; PY=${PY:-python3}
mkdir -p "$OUT"; export PYTHONUNBUFFERED=1
$PY -c "import torch, numpy, cv2; print(torch.__version__, numpy.__version__, cv2.__version__, torch.cuda.is_available())"
R=$PACK/runs
run() {  # name config workers [init]
  $PY training/train.py --config training/configs/$2.yaml --device $DEV --workers $3 --data $PACK/CBSD432 \
    ${4:+--init $PACK/$4.pth} --run-dir $R/$1 --minutes $MIN > "$OUT/$1.log" 2>&1 &
}
run detect-gpu detect-gpu 4 detect-scene
run detect-gpu-wide detect-gpu-wide 4 detect-wide
run detect-gpu-w20 detect-gpu-w20 5
sleep 45; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv 2>/dev/null; uptime
wait
for n in detect-gpu detect-gpu-wide detect-gpu-w20; do echo "== $n"; cat "$OUT/$n.log"; done > "$OUT/train.log"
$PY - "$R" "$OUT" <<'PY'
import os, sys, torch
runs, out = sys.argv[1:3]
for run in ('detect-gpu', 'detect-gpu-wide', 'detect-gpu-w20'):
    d = os.path.join(runs, run)
    try:  # final weights in fp32, best (by validation) in fp16: one file under 16 MiB even for w20
        fin = torch.load(f'{d}/final.pth', map_location='cpu', weights_only=False)
        keep = {k: fin[k] for k in ('step', 'elapsed', 'minutes', 'best_score', 'config', 'params',
                                    'macs_per_pixel', 'final_val_score', 'model') if k in fin}
        if os.path.exists(f'{d}/best.pth'):
            b = torch.load(f'{d}/best.pth', map_location='cpu', weights_only=False)
            keep['best_model'] = {k: v.half() if v.is_floating_point() else v for k, v in b['model'].items()}
            keep['best_step'] = b['step']
        torch.save(keep, f'{out}/{run}.pth')
        os.system(f'cp {d}/log.jsonl {out}/{run}.jsonl; rm -f {out}/{run}.log')
        print(run, 'saved: step', keep['step'], 'final val', keep.get('final_val_score'), 'best', keep['best_score'])
    except Exception as e:  # noqa: keep the others
        print(run, 'FAILED', e)
PY
ls -la "$OUT"

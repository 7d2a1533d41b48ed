#!/bin/bash
# Several trainings sharing one remote CUDA machine (one GPU, 16 cores), then each run's weights
# slimmed into $OUT (a few files of at most 16 MiB, quick to copy back).
# Needs the folder made by tools/pack_for_device.py (copied with the tree): CBSD432/ and the --init checkpoints.
# RUNS picks the set, each entry NAME:CONFIG:WORKERS[:INIT] (INIT is a checkpoint name in the pack):
#   RUNS=detect (default): detect-gpu, detect-gpu-wide (both warm from 1.1.1), detect-gpu-w20 (from scratch)
#   RUNS=deblur: deblur-gpu (1.2.0 warm, large batches), deblur-gpu-w32 (from scratch, width 32)
#   RUNS=detect-real: detect-gpu-real, -full, -tex (real-print damage and hard negatives, warm from 1.1.1)
#   RUNS=detect-bright: the same with crack networks and creases alone (-full, -lo: shape, LR)
#   or the entries themselves, e.g. RUNS="detect-gpu:detect-gpu:6:detect-scene"
# Check the road first with MIN=0.5 (about 1.5 min) before a long run: a first attempt once lost
# its whole run to worker processes that hung (data/parallel.py).
#   on the CUDA machine: RUNS=detect MIN=7 PACK=.gpu bash training/tools/device_runs.sh
# DEV=cpu MIN=0.1 TRAIN_ARGS="--batch 8" runs the same road on a CPU (check it before a GPU
# run; without the smaller batch the from-scratch nets need 12-20 GB there); smoke.sh runs it too.
# TRAIN_ARGS goes to every train.py as it is, after the script's own arguments.
MIN=${MIN:-7}; PACK=${PACK:-.gpu}; DEV=${DEV:-cuda}; OUT=${OUT:-/tmp/device-out}; PY=${PY:-python3}
case "${RUNS:-detect}" in
  detect) RUNS="detect-gpu:detect-gpu:4:detect-scene detect-gpu-wide:detect-gpu-wide:4:detect-scene detect-gpu-w20:detect-gpu-w20:5" ;;
  deblur) RUNS="deblur-gpu:deblur-gpu:6:deblur-wide deblur-gpu-w32:deblur-gpu-w32:7" ;;
  detect-real) RUNS="detect-gpu-real:detect-gpu-real:5:detect-scene detect-gpu-real-full:detect-gpu-real-full:5:detect-scene detect-gpu-real-tex:detect-gpu-real-tex:5:detect-scene" ;;
  detect-bright) RUNS="detect-gpu-bright:detect-gpu-bright:5:detect-scene detect-gpu-bright-full:detect-gpu-bright-full:5:detect-scene detect-gpu-bright-lo:detect-gpu-bright-lo:5:detect-scene" ;;
esac
mkdir -p "$OUT"; export PYTHONUNBUFFERED=1
$PY -c "import torch, numpy, cv2; print(torch.__version__, numpy.__version__, cv2.__version__, torch.cuda.is_available())"
# every damage kind and texture drawn first: a library that differs there (OpenCV 5 once refused float
# text) fails in seconds rather than inside the runs' workers
$PY training/tools/check_damage_draws.py || exit 2
R=$PACK/runs
NAMES=(); PIDS=()
for spec in $RUNS; do
  IFS=: read -r name config workers init <<< "$spec"
  [ -n "$init" ] && [ ! -f "$PACK/$init.pth" ] && { echo "$name: $PACK/$init.pth is not in the pack"; exit 2; }
  $PY training/train.py --config "training/configs/$config.yaml" --device "$DEV" --workers "$workers" \
    --data "$PACK/CBSD432" ${init:+--init "$PACK/$init.pth"} --run-dir "$R/$name" --minutes "$MIN" \
    $TRAIN_ARGS > "$OUT/$name.log" 2>&1 &
  NAMES+=("$name"); PIDS+=($!)
done
# one look at the load 45 s in; slept a second at a time so that a run that ends sooner is not kept
# waiting (a killed monitor's sleep would hold the caller's pipe open)
(for _ in $(seq 45); do sleep 1; done; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv 2>/dev/null; uptime) &
MONITOR=$!
wait "${PIDS[@]}"
kill $MONITOR 2>/dev/null
for n in "${NAMES[@]}"; do echo "== $n"; cat "$OUT/$n.log"; done > "$OUT/train.log"
$PY - "$R" "$OUT" "${NAMES[@]}" <<'PY'
import os, sys, torch
sys.path.insert(0, 'training')
from heirloom_train.utils import half_weights, read_checkpoint
runs, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
for run in names:
    d = os.path.join(runs, run)
    try:  # two files a run, each a checkpoint that export.py and the tools load as it is: the final
        # weights (fp32 while under 15 MiB, so each file stays under 16 MiB) with the
        # run's log lines, and the best by validation in fp16
        fin = read_checkpoint(f'{d}/final.pth')
        keep = {k: fin[k] for k in ('step', 'elapsed', 'minutes', 'best_score', 'config', 'params',
                                    'macs_per_pixel', 'final_val_score', 'model') if k in fin}
        if sum(v.numel() * v.element_size() for v in keep['model'].values()) >= 15 * 2**20:
            keep['model'] = half_weights(keep['model'])
        with open(f'{d}/log.jsonl') as f:
            keep['log'] = f.read().splitlines()
        torch.save(keep, f'{out}/{run}.pth')
        if os.path.exists(f'{d}/best.pth'):
            b = read_checkpoint(f'{d}/best.pth')
            torch.save({'model': half_weights(b['model']), 'step': b['step'], 'elapsed': b.get('elapsed'),
                        'best_score': b.get('best_score'), 'config': fin['config']}, f'{out}/{run}-best.pth')
        os.remove(f'{out}/{run}.log')  # its lines are in train.log
        print(run, 'saved: step', keep['step'], 'final val', keep.get('final_val_score'), 'best', keep['best_score'])
    except Exception as e:  # noqa: keep the others
        print(run, 'FAILED', e)
PY
ls -la "$OUT"

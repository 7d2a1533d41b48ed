#!/usr/bin/env bash
# Waits for a training process to exit, then exports its final checkpoint to public/models
# (manifest merged) and runs the PyTorch / int8 evaluations, writing JSON lines to the run dir.
#   nohup training/tools/after_run.sh <train PID> <run dir> [DATASETS_ROOT] > <run dir>/after_run.log 2>&1 &
set -uo pipefail
PID="$1"; RUN="$2"; ROOT="${3:-/work/shared/datasets}"
PY=/usr/bin/python3
HERE="$(cd "$(dirname "$0")/.." && pwd)"
export PYTHONWARNINGS=ignore
while kill -0 "$PID" 2>/dev/null; do sleep 20; done
CK="$RUN/final.pth"; [ -f "$CK" ] || CK="$RUN/last.pth"
echo "$(date) exporting $CK"
"$PY" "$HERE/export.py" --checkpoint "$CK" --out "$HERE/../public/models" || echo "EXPORT FAILED"
ev() { echo "$(date) eval $*"; "$PY" "$HERE/evaluate.py" --checkpoint "$CK" "$@" | tail -n 1 | tee -a "$RUN/eval.jsonl"; }
T="$ROOT/test"
ev --data "$T/CBSD68" --sigma 25 --seed 0
ev --data "$T/CBSD68" --sigma 15 --seed 0 --no-ssim
ev --data "$T/CBSD68" --sigma 50 --seed 0 --no-ssim
ev --data "$T/Kodak24" --sigma 25 --seed 0 --no-ssim
ev --data "$T/McMaster" --sigma 25 --seed 0 --no-ssim
ev --onnx "$HERE/../public/models/denoise-nafnet-w16-int8.onnx" --data "$T/CBSD68" --sigma 25 --seed 0 --no-ssim
ev --onnx "$HERE/../public/models/denoise-nafnet-w16-int8.onnx" --data "$T/CBSD68" --sigma 15 --seed 0 --no-ssim
ev --onnx "$HERE/../public/models/denoise-nafnet-w16-int8.onnx" --data "$T/CBSD68" --sigma 50 --seed 0 --no-ssim
ev --onnx "$HERE/../public/models/denoise-nafnet-w16-int8.onnx" --data "$T/Kodak24" --sigma 25 --seed 0 --no-ssim
ev --onnx "$HERE/../public/models/denoise-nafnet-w16-int8.onnx" --data "$T/McMaster" --sigma 25 --seed 0 --no-ssim
echo "$(date) all done"

#!/usr/bin/env bash
# The GPU check (issue 20): on any machine with an NVIDIA GPU, in a Quantdeck checkout after
# `npm ci && npx turbo run build`:
#   1. builds the CUDA llama-server (and llama-bench) through the agent, as a user would;
#   2. holds all but FREE_GB of GPU 0's memory with a small CUDA program, so that a
#      synthetic DeepSeek-shaped model of a few GB needs --n-cpu-moe on any card;
#   3. asks the planner for that model, loads it with the plan's flags, and compares the
#      plan's predicted VRAM with what nvidia-smi measures;
#   4. runs llama-bench through the agent;
#   5. saves the real nvidia-smi answers as test fixtures (apps/agent/test/fixtures/nvidia-smi).
# Everything it measured goes to $OUT (default ./gpu-check-out), summed up in gpu-check.json.
#   [FREE_GB=4] [LAYERS=5] scripts/gpu-check.sh   (5 layers: 3 dense, 2 MoE, about 7 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/gpu-check-out}
FREE_GB=${FREE_GB:-4}
LAYERS=${LAYERS:-5}
PORT=${PORT:-17790}
URL="http://127.0.0.1:$PORT"
QUERY="index,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit,driver_version,compute_cap"
mkdir -p "$OUT/models" "$OUT/data"

for tool in nvidia-smi nvcc node curl; do
  command -v "$tool" >/dev/null || { echo "gpu-check: $tool is missing" >&2; exit 2; }
done
[ -f apps/agent/dist/main.js ] || { echo "gpu-check: build first (npm ci && npx turbo run build)" >&2; exit 2; }
smi() { nvidia-smi --query-gpu="$QUERY" --format=csv,noheader,nounits; }
used_mib() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 | tr -d ' '; }
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log(eval('v'+process.argv[1]))})" "$1"; }
cli() { node apps/cli/dist/main.js --url "$URL" "$@"; }

smi > "$OUT/nvidia-smi-idle.csv"
GPU=$(head -1 "$OUT/nvidia-smi-idle.csv" | cut -d, -f2 | sed 's/^ *//')
SLUG=$(echo "$GPU" | tr 'A-Z' 'a-z' | sed 's/nvidia //; s/[^a-z0-9]\+/-/g; s/-$//')
COUNT=$(wc -l < "$OUT/nvidia-smi-idle.csv")
echo "gpu-check: $COUNT × $GPU"

echo "gpu-check: the agent (llama-server engine), building the CUDA engine if needed…"
QUANTDECK_PORT=$PORT QUANTDECK_DATA_DIR="$OUT/data" QUANTDECK_MODELS_DIR="$OUT/models" \
  QUANTDECK_NO_DEMO_MODEL=1 QUANTDECK_ENGINE=llama-server \
  node apps/agent/dist/main.js > "$OUT/agent.log" 2>&1 &
AGENT=$!
BALLAST=""
cleanup() {
  [ -n "$BALLAST" ] && kill "$BALLAST" 2>/dev/null || true
  kill "$AGENT" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "$URL/api/health" >/dev/null && break; sleep 0.3; done
if [ "$(curl -sf "$URL/api/engine" | json '.build.state')" != "done" ]; then
  curl -sf -X POST "$URL/api/engine/build" >/dev/null
  while :; do
    STATE=$(curl -sf "$URL/api/engine" | json '.build.state')
    [ "$STATE" = "done" ] && break
    [ "$STATE" = "failed" ] && { curl -s "$URL/api/engine" > "$OUT/engine-failed.json"; echo "gpu-check: the build failed ($OUT/engine-failed.json)" >&2; exit 1; }
    sleep 10
  done
fi
BACKEND=$(curl -sf "$URL/api/engine" | json '.build.build.backend')
echo "gpu-check: engine built ($BACKEND)"

echo "gpu-check: holding all but $FREE_GB GB of GPU 0…"
nvcc -O2 -o "$OUT/ballast" scripts/gpu-check/ballast.cu
"$OUT/ballast" $((FREE_GB * 1024)) > "$OUT/ballast.log" 2>&1 &
BALLAST=$!
until grep -q "held" "$OUT/ballast.log"; do sleep 0.2; kill -0 "$BALLAST" || { cat "$OUT/ballast.log" >&2; exit 1; }; done
BASE_MIB=$(used_mib)
smi > "$OUT/nvidia-smi-ballast.csv"

echo "gpu-check: a synthetic DeepSeek-V3-shaped model, $LAYERS layers, Q8_0…"
MODEL=ds-gpu-check.gguf
[ -f "$OUT/models/$MODEL" ] || npx tsx packages/gguf-synth/src/cli.ts --preset deepseek-v3 \
  --layers "$LAYERS" --embd 2048 --type Q8_0 --out "$OUT/models/$MODEL"
ls -l "$OUT/models/$MODEL"

cli --json plan "$MODEL" --ctx-size 4096 --cache-type-k q8_0 > "$OUT/plan.json"
GPU_LAYERS=$(json '.gpuLayers' < "$OUT/plan.json")
CPU_MOE=$(json '.cpuMoeLayers' < "$OUT/plan.json")
PREDICTED=$(json '.predicted.vramBytes' < "$OUT/plan.json")
echo "gpu-check: plan: $(json '.strategy' < "$OUT/plan.json"), --n-gpu-layers $GPU_LAYERS --n-cpu-moe $CPU_MOE, VRAM $((PREDICTED / 1048576)) MiB"
[ "$CPU_MOE" != "null" ] || echo "gpu-check: note: the plan needs no --n-cpu-moe; lower FREE_GB or raise LAYERS" >&2

LOAD=(--ctx-size 4096 --cache-type-k q8_0 --n-gpu-layers "$GPU_LAYERS")
[ "$CPU_MOE" != "null" ] && LOAD+=(--n-cpu-moe "$CPU_MOE")
cli --json load "$MODEL" "${LOAD[@]}" > "$OUT/load.json"
sleep 2
LOADED_MIB=$(used_mib)
smi > "$OUT/nvidia-smi-loaded.csv"
MEASURED=$(((LOADED_MIB - BASE_MIB) * 1048576))
echo "gpu-check: VRAM predicted $((PREDICTED / 1048576)) MiB, measured $((MEASURED / 1048576)) MiB (nvidia-smi, less the ballast)"

cli --json bench "$MODEL" > "$OUT/bench.json"
echo "gpu-check: llama-bench pp512 $(json '.promptTokensPerSecond' < "$OUT/bench.json") tok/s, tg128 $(json '.generationTokensPerSecond' < "$OUT/bench.json") tok/s"
cli unload >/dev/null

FIXTURES=apps/agent/test/fixtures/nvidia-smi
cp "$OUT/nvidia-smi-idle.csv" "$FIXTURES/$SLUG-${COUNT}x-real.csv"
cp "$OUT/nvidia-smi-loaded.csv" "$FIXTURES/$SLUG-${COUNT}x-real-loaded.csv"
node -e '
const [gpu, count, backend, predicted, measured, plan, bench] = process.argv.slice(1);
console.log(JSON.stringify({ gpu, count: +count, backend, vram: { predictedBytes: +predicted,
  measuredBytes: +measured, ratio: +measured / +predicted }, plan: JSON.parse(plan),
  bench: JSON.parse(bench), at: new Date().toISOString() }, null, 2));
' "$GPU" "$COUNT" "$BACKEND" "$PREDICTED" "$MEASURED" "$(cat "$OUT/plan.json")" "$(cat "$OUT/bench.json")" > "$OUT/gpu-check.json"
echo "gpu-check: done: $OUT/gpu-check.json; real nvidia-smi answers in $FIXTURES/$SLUG-${COUNT}x-real*.csv"

#!/usr/bin/env bash
# The local backend on node-llama-cpp's CUDA build, measured on a GPU machine beside llama.cpp's
# own tools, from the folder test/gpu/prepare.mjs fills (see test/gpu/README.md):
#   1. one cmake build from the same llama.cpp source and flags: node-llama-cpp's addon (CUDA),
#      llama-bench and llama-server; the addon becomes @node-llama-cpp/linux-x64-cuda, the
#      package "BR-RM: Install CUDA Acceleration" installs
#   2. a random-weight Qwen3-8B-shaped model (Q8_0), written while the build runs
#   3. decode speed: `brrm compare` tokens/s per turn against `llama-bench` tg (target >= 0.95x)
#   4. comparisons per minute at 1, 4 and 16 parallel sequences (`brrm eval --concurrency`),
#      locally and through llama-server (target: 4 sequences >= 3x one)
# Results: $OUT/summary.md (the table), $OUT/*.json|log (the raw outputs).
#
#   bash test/gpu/measure.sh .gpu                           on the GPU machine (repository root)
#   REHEARSE=1 MODEL=tiny.gguf bash test/gpu/measure.sh .gpu   here: CUDA off, a small model
set -u -o pipefail
KIT=$(cd "${1:-.gpu}" && pwd)
REPO=$(pwd)
OUT=${OUT:-$REPO/.gpu-out}
W=${WORK:-/tmp/brrm-gpu}
REHEARSE=${REHEARSE:-0}
JOBS=${JOBS:-$(nproc)}
THREADS=${THREADS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}
N_GEN=${N_GEN:-512}          # tokens generated per turn in the decode comparison
EVAL_TOKENS=${EVAL_TOKENS:-128}
CTX=${CTX:-4096}             # tokens per sequence
if [ "$REHEARSE" = 1 ]; then
  GPU=off; PACKAGE=linux-x64; CUDA=OFF; NGL=0; VARIANT=cpu
else
  GPU=cuda; PACKAGE=linux-x64-cuda; CUDA=ON; NGL=99; VARIANT=cuda
fi
mkdir -p "$OUT"; rm -rf "$W"; mkdir -p "$W"
t0=$(date +%s)
note() { echo "[$(( $(date +%s) - t0 ))s] $*" | tee -a "$OUT/log.txt"; }
fail() { note "FAILED: $*"; exit 1; }
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt"

# 1. node, brrm with node-llama-cpp (no binaries), and the llama.cpp source where the addon's build expects it
xz -dc "$KIT/node.xz" > "$W/node" && chmod +x "$W/node" || fail "node"
export PATH="$W:$PATH"
APP=$W/app; NLC=$APP/node_modules/node-llama-cpp
mkdir -p "$APP" && tar -xJf "$KIT/app.tar.xz" -C "$APP" || fail "app"
mkdir -p "$NLC/llama/llama.cpp" && tar -xJf "$KIT/llama-src.tar.xz" -C "$NLC/llama/llama.cpp" || fail "llama.cpp source"
brrm() { node "$APP/dist/cli.js" "$@"; }
note "unpacked: node $(node --version), node-llama-cpp $(node -p "require('$NLC/package.json').version")"

# 2. the model, written during the build (or MODEL= an existing GGUF)
if [ -n "${MODEL:-}" ]; then M=$MODEL; GEN=""; else
  M=$W/q8.gguf
  (PYTHONPATH=$NLC/llama/llama.cpp/gguf-py python3 "$REPO/test/gpu/gen-qwen3-8b-shaped.py" "$KIT/ggml-vocab-qwen2.gguf" "$M" 36 > "$OUT/gen.log" 2>&1) &
  GEN=$!
fi

# 3. one build: the addon as node-llama-cpp configures its own source builds (cmake-js supplies
#    the Node-API headers; here node-api-headers does), plus llama.cpp's tools from the same tree
cmake -S "$NLC/llama" -B "$W/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$W/build/Release" -DCMAKE_JS_INC="$APP/node_modules/node-api-headers/include" \
  -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 -DNLC_VARIANT=$VARIANT -DGGML_BUILD_NUMBER=1 \
  -DGGML_CUDA=$CUDA -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" -DGGML_METAL=OFF -DGGML_CCACHE=OFF -DGGML_NATIVE=ON \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_USE_PREBUILT_UI=OFF > "$OUT/cmake.log" 2>&1 || fail "cmake (see cmake.log)"
cmake --build "$W/build" -j "$JOBS" --target llama-addon llama-bench llama-server > "$OUT/build.log" 2>&1 || fail "build (see build.log)"
B=$W/build/bin

# The addon as node-llama-cpp's binary package, in the layout it imports prebuilt binaries from.
# The addon (build/Release) links llama.cpp's shared libraries (libllama.<variant>.so,
# libggml*.so, libllama-common.so: build/bin) and finds them beside itself ($ORIGIN), so they go
# into the same folder, as node-llama-cpp's own source builds copy bin/ into Release/.
P=$APP/node_modules/@node-llama-cpp/$PACKAGE
mkdir -p "$P/dist" "$P/bins/$PACKAGE"
cp "$APP/binary-package-index.js" "$P/dist/index.js"
cp -P "$W/build/Release/"* "$B/"lib*.so* "$P/bins/$PACKAGE/" || fail "install the addon"
note "built: $(ls "$P/bins/$PACKAGE" | tr '\n' ' ')"
MISSING=$(ldd "$P/bins/$PACKAGE/llama-addon.node" 2>&1 | grep "not found")
[ -z "$MISSING" ] || note "the addon lacks libraries: $(echo "$MISSING" | tr '\n\t' '  ')"
echo "{\"name\":\"@node-llama-cpp/$PACKAGE\",\"version\":\"$(node -p "require('$NLC/package.json').version")\",\"type\":\"module\",\"main\":\"dist/index.js\",\"exports\":{\".\":{\"import\":\"./dist/index.js\",\"default\":\"./dist/index.js\"}}}" > "$P/package.json"
echo "{\"buildOptions\":{\"customCmakeOptions\":{},\"progressLogs\":true,\"platform\":\"linux\",\"platformInfo\":{\"name\":\"\",\"version\":\"\"},\"arch\":\"x64\",\"gpu\":$([ "$GPU" = off ] && echo false || echo "\"cuda\""),\"llamaCpp\":{\"repo\":\"ggml-org/llama.cpp\",\"release\":\"$(node -p "require('$NLC/llama/llama.cpp.info.json').tag")\"}}}" > "$P/bins/$PACKAGE/_nlcBuildMetadata.json"

if [ -n "$GEN" ]; then wait "$GEN" || fail "model (see gen.log)"; fi
note "model: $M ($(du -h "$M" | cut -f1))"
brrm doctor --gpu "$GPU" --json > "$OUT/doctor.json" 2> "$OUT/doctor.log" || fail "brrm doctor (see doctor.log)"
note "brrm runs on: $(node -p "const r=require('$OUT/doctor.json'); r.gpu.runsOn + ' ' + JSON.stringify(r.gpu.choice && r.gpu.choice.devices) + ' ' + (r.gpu.choice && r.gpu.choice.binary)")"

# 4. decode: llama-bench tg and brrm compare on the same model
timeout 300 "$B/llama-bench" -m "$M" -ngl $NGL -fa 0,1 -p 0 -n "$N_GEN" -r 3 -t "$THREADS" -o json > "$OUT/llama-bench.json" 2> "$OUT/llama-bench.log"
note "llama-bench rc=$?"
for i in 1 2 3; do
  timeout 300 node "$APP/dist/cli.js" compare --model "$M" --gpu "$GPU" --threads "$THREADS" --context-size "$CTX" --max-tokens "$N_GEN" --seed "$i" \
    --prompt "Write a short story about a lighthouse keeper, number $i." --response1 "Once upon a time." --response2 "The end." --json \
    > "$OUT/compare-$i.json" 2> "$OUT/compare-$i.log"
  note "brrm compare $i rc=$? ($(grep -o 'runs on [^.]*' "$OUT/compare-$i.log" | head -1))"
done

# 5. comparisons per minute at 1, 4 and 16 sequences, each from the difference of two runs
#    (N and 2N pairs) so that starting brrm and loading the model cancel out
node -e 'for (let i = 0; i < 64; i++) console.log(JSON.stringify({ id: `p${i}`, prompt: `What is ${17 + i} * ${24 + i}?`, response1: `It is ${(17 + i) * (24 + i)}.`, response2: `It is ${(17 + i) * (24 + i) + 10}.`, label: 1 }))' > "$W/pairs.jsonl"
run_eval() { # label concurrency limit [extra flags...]
  local label=$1 c=$2 n=$3; shift 3
  local start end
  start=$(date +%s.%N)
  timeout 300 node "$APP/dist/cli.js" eval "$W/pairs.jsonl" --out "$W/r-$label-$c-$n.jsonl" --overwrite --no-cache --concurrency "$c" --limit "$n" \
    --max-tokens "$EVAL_TOKENS" --seed 1 --quiet --json-summary "$@" > "$OUT/eval-$label-$c-$n.json" 2> "$OUT/eval-$label-$c-$n.log"
  local rc=$?
  end=$(date +%s.%N)
  echo "{\"backend\":\"$label\",\"concurrency\":$c,\"pairs\":$n,\"rc\":$rc,\"seconds\":$(node -p "$end - $start")}" >> "$OUT/eval-runs.jsonl"
  note "eval $label c=$c n=$n rc=$rc"
}
: > "$OUT/eval-runs.jsonl"
LOCAL=(--model "$M" --gpu "$GPU" --threads "$THREADS" --context-size "$CTX")
for c in 1 4 16; do for n in $c $(( 2 * c )); do run_eval local "$c" "$n" "${LOCAL[@]}"; done; done

PORT=${PORT:-8077}
# Random weights string pieces of multi-byte characters into malformed UTF-8, which fails
# llama-server's chat parser (and so the request): the server never samples those pieces
# (see broken-utf8-tokens.py). brrm's local backend does not parse, so it needs no ban.
mapfile -t BAN < <(PYTHONPATH=$NLC/llama/llama.cpp/gguf-py python3 "$REPO/test/gpu/broken-utf8-tokens.py" "$M" 2>> "$OUT/log.txt")
note "llama-server: $(( ${#BAN[@]} / 2 )) tokens banned"
"$B/llama-server" -m "$M" -ngl $NGL -fa "${SERVER_FA:-auto}" -c $(( CTX * 16 )) -np 16 -t "$THREADS" --host 127.0.0.1 --port "$PORT" --jinja --no-webui "${BAN[@]}" > "$OUT/llama-server.log" 2>&1 &
SERVER=$!
# The machine may have no curl: node asks /health until the model is loaded.
node -e "(async () => { for (let i = 0; i < 480; i++) { if (await fetch('http://127.0.0.1:$PORT/health').then((r) => r.ok, () => false)) return; await new Promise((r) => setTimeout(r, 500)); } process.exit(1); })()" || fail "llama-server did not start (see llama-server.log)"
note "llama-server up"
for c in 1 4 16; do for n in $c $(( 2 * c )); do run_eval server "$c" "$n" --backend openai --endpoint "http://127.0.0.1:$PORT/v1"; done; done
kill "$SERVER"; wait "$SERVER" 2> /dev/null

node "$REPO/test/gpu/table.mjs" "$OUT" | tee "$OUT/summary.md"
note "done"

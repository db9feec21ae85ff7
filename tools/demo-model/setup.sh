#!/usr/bin/env bash
# Maintainer tool setup: installs Debian's torch and checks that BLAS is fast enough to train
# the demo model. Not a runtime dependency of Persona Lens (the extension only loads the
# exported ONNX files in models/demo/).
set -euo pipefail
PY=/usr/bin/python3   # Debian's python: a pyenv python3 earlier on PATH does not see dist-packages

if ! "$PY" -c 'import torch, numpy' 2>/dev/null || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  apt-get update
  # libopenblas0-openmp switches libblas.so.3 away from the reference BLAS (27x slower matmul).
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch python3-numpy libopenblas0-openmp
fi
"$PY" -c 'import matplotlib' 2>/dev/null || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-matplotlib || \
  echo "setup.sh: python3-matplotlib not installed; the loss curve will be written as SVG"
# Other packages (libopenblas-dev, pulled in by some python3-* packages) can move the BLAS
# alternative to the pthread build, which fights torch's OpenMP threads. Pin the OpenMP build.
for lib in libblas.so.3 liblapack.so.3; do
  alt="$lib-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
  target="$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-openmp || true)"
  [ -n "$target" ] && update-alternatives --set "$alt" "$target" >/dev/null
done

"$PY" - <<'PYEOF'
import sys, time, torch
torch.set_num_threads(2)
a = torch.randn(1024, 1024); b = torch.randn(1024, 1024)
for _ in range(3): a @ b
# Best of 20 single timings: the CPU may be shared, and the best run is what BLAS can do.
best = float("inf")
for _ in range(20):
    t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
gflops = 2 * 1024**3 / best / 1e9
print(f"setup.sh: torch {torch.__version__}, 1024x1024 fp32 matmul on 2 threads: {gflops:.1f} GFLOP/s (best of 20)")
if gflops < 50:
    sys.exit("setup.sh: BLAS is too slow (< 50 GFLOP/s). libblas.so.3 probably points at the reference "
             "BLAS: run `apt-get install -y libopenblas0-openmp` or "
             "`update-alternatives --config libblas.so.3-x86_64-linux-gnu`. "
             "(If other heavy processes share the CPU, retry when it is idle.)")
PYEOF

#!/usr/bin/env bash
# Renders tools/icon/icon.svg to media/icon.png (128x128, transparent corners) with headless chromium,
# the browser the e2e tests already install. Run after editing the SVG; the PNG is committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$PWD/media/icon.png" "file://$PWD/tools/icon/icon.svg" 2>/dev/null
file media/icon.png

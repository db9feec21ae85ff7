#!/usr/bin/env bash
# Idempotent set-up for the e2e suite on a fresh Debian machine (see ../shared/docs/testing.md):
# Debian packages, the @vscode/ripgrep download cache, and `npm ci` in test/e2e.
# Runs unattended (CI=true, no stdin) and says what it does; with everything present it only checks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'e2e setup: %s\n' "$*"; }

# 1. Debian packages. chromium + fonts: the browser playwright-core drives; libkrb5-dev: headers for
# building `kerberos` (its prebuilt download fails offline); ripgrep: source of `rg` for step 2.
packages=(chromium fonts-dejavu-core fonts-liberation2 libkrb5-dev ripgrep)
missing=()
for p in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    say "missing Debian packages: ${missing[*]}" >&2
    say "run as root, or install them first: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Lock::Timeout: wait for another apt run (e.g. unattended-upgrades) instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  say "Debian packages present: ${packages[*]}"
fi

# 3 (checked first): npm ci only when node_modules is missing or older than the lock file or manifest.
stamp="$here/node_modules/.e2e-setup-done"
if [[ -f "$stamp" && "$stamp" -nt "$here/package-lock.json" && "$stamp" -nt "$here/package.json" ]]; then
  say "test/e2e/node_modules is up to date"
  exit 0
fi

# 2. code-server's nested install pulls @vscode/ripgrep 1.15.11, whose postinstall downloads `rg`
# from GitHub (unreachable here). It first looks in <os.tmpdir()>/vscode-ripgrep-cache-<version>/, so
# seed that with Debian's rg. Same TMPDIR as the npm ci below: this script's environment.
rg_pkg_version=1.15.11 # @vscode/ripgrep version pinned by code-server 4.100.3
rg_asset_version=v13.0.0-10 # the ripgrep release that @vscode/ripgrep version downloads
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) say "unsupported machine $(uname -m) for the ripgrep cache" >&2; exit 1 ;;
esac
tmp_root="$(node -p 'require("os").tmpdir()')"
rg_cache="$tmp_root/vscode-ripgrep-cache-$rg_pkg_version"
rg_archive="$rg_cache/ripgrep-$rg_asset_version-$rg_target.tar.gz"
if [[ -s "$rg_archive" ]]; then
  say "ripgrep download cache present: $rg_archive"
else
  say "seeding ripgrep download cache from $(command -v rg): $rg_archive"
  d="$(mktemp -d)"
  cp "$(command -v rg)" "$d/rg"
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$d" rg
  rm -rf "$d"
fi

say "npm ci in test/e2e (code-server builds native modules; ~40 s to a few minutes)"
cd "$here"
# The project .npmrc here sets unsafe-perm and yes (code-server's postinstall needs both as root).
npm ci --no-audit --no-fund </dev/null

# Install scripts that were skipped leave a code-server that starts but cannot open terminals or
# search; fail here instead. These are built by code-server's postinstall (nested npm installs).
vscode_modules="$here/node_modules/code-server/lib/vscode/node_modules"
for f in @vscode/ripgrep/bin/rg node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node; do
  if [[ ! -e "$vscode_modules/$f" ]]; then
    say "npm ci finished but $vscode_modules/$f is missing: did code-server's postinstall run? (allowScripts in test/e2e/package.json)" >&2
    exit 1
  fi
done
touch "$stamp"
say "done"

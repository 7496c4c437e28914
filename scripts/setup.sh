#!/usr/bin/env bash
# Installs everything capstan needs on Debian 12 and builds it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every Debian package the project uses, named once. Boost is always versioned (1.81):
# the unversioned packages pull 1.74 and conflict.
DEB_PACKAGES=(
  build-essential cmake ninja-build ccache clang libclang-rt-14-dev clang-format clang-tidy pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev zlib1g-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libsqlitecpp-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev libpng-dev
  prometheus-cpp-dev prometheus
  curl wrk nginx openssl
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js: the machine image ships Node 20 with npm; a bare Debian 12 gets Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# npm tools for the end-to-end tests (official MCP SDK, JSON Schema 2020-12 validator).
# Reinstalled whenever package-lock.json changes (a stamp holds the hash it was installed from).
lock_hash=$(sha256sum tests/e2e/package-lock.json | cut -d' ' -f1)
if [[ "$(cat tests/e2e/node_modules/.capstan-lock 2>/dev/null)" != "$lock_hash" ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > tests/e2e/node_modules/.capstan-lock
fi
# MCP conformance suite (issue #6, test e2e.mcp.conformance): warm npx's cache with Node 22 and the pinned suite.
npx -y -p node@22 -p @modelcontextprotocol/conformance@0.1.16 -- conformance list --server >/dev/null 2>&1 || true
# MCP Inspector v2 CLI (test e2e.mcp.inspector): the same, for the pinned Inspector.
npx -y -p node@22 -p @modelcontextprotocol/inspector@2.12.0 -- mcp-inspector --help >/dev/null 2>&1 || true

# The README's main command needs only the binary; scripts/test.sh builds every target.
if [[ "${CAPSTAN_SETUP_NO_BUILD:-}" != 1 ]]; then
  preset="${CAPSTAN_PRESET:-release}"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target capstan
fi

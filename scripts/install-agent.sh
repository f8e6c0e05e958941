#!/usr/bin/env bash
# One-line install of the Rigel operator agent (docs/OPERATORS.md "Install").
#
#   From a release:    curl -fsSL https://…/install-agent.sh | bash -s -- --release https://…/rigel-agent.tar.gz
#   From a checkout:   bash scripts/install-agent.sh --dir ~/rigel-agent
#
# 1. Checks the prerequisites, each with its fix: Node ≥ 20, a reachable Docker engine, the NVIDIA
#    container runtime when nvidia-smi finds a GPU, python3 with numpy (CUDA matmul and llm-inference).
# 2. Installs the agent into DIR/app: from a checkout, the agent compiled to JavaScript and only the
#    packages it loads at run time (a production install); from a release, its tarball.
# 3. Puts the `rigel` launcher in DIR (DIR/rigel agent …).
# 4. Runs `rigel agent init` in DIR (asks for the keystore password), unless DIR already has a config
#    or --no-init is given.
# Idempotent: running it again replaces DIR/app and keeps DIR's config, keystore and data.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install-agent.sh [--dir DIR] [--release URL|FILE] [--no-init] [--skip-checks] [--pack FILE]

  --dir DIR         install folder (default: ~/rigel-agent); holds app/, the rigel launcher, the
                    config (rigel-agent.json), the keystore and data/
  --release SRC     install from a release tarball (URL or file) instead of this checkout
  --no-init         do not run `rigel agent init` (tests, images)
  --skip-checks     install even when a prerequisite is missing (the checks still print)
  --pack FILE       build the release tarball of this checkout's agent into FILE and exit
  -h, --help        this help
EOF
}

DIR="${HOME:-/root}/rigel-agent"
RELEASE=""
INIT=1
STRICT=1
PACK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="${2:?--dir needs a folder}"; shift 2 ;;
    --release) RELEASE="${2:?--release needs a URL or file}"; shift 2 ;;
    --no-init) INIT=0; shift ;;
    --skip-checks) STRICT=0; shift ;;
    --pack) PACK="${2:?--pack needs a file}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-agent: unknown flag $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { echo "install-agent: $*"; }
ok() { printf '  \342\234\223 %s\n' "$1"; }
bad() { printf '  \342\234\227 %s\n      fix: %s\n' "$1" "$2"; }

# ---------------------------------------------------------------------------------------------
# 1. Prerequisites
# ---------------------------------------------------------------------------------------------
check_prerequisites() {
  local missing=0
  say "checking prerequisites"
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'Number(process.versions.node.split(".")[0])')" -ge 20 ]; then
    ok "Node $(node -v)"
  else
    bad "Node 20 or later is needed (found: $(node -v 2>/dev/null || echo none))" \
      "install Node 20 LTS: curl -fsSL https://deb.nodesource.com/setup_20.x | sudo bash - && sudo apt-get install -y nodejs (or https://nodejs.org/en/download)"
    missing=1
  fi
  if command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    ok "Docker engine $(docker version --format '{{.Server.Version}}') reachable"
  elif command -v docker >/dev/null 2>&1; then
    bad "Docker is installed but the engine does not answer (for container jobs)" \
      "start it (sudo systemctl start docker) and let this user reach it: sudo usermod -aG docker \$USER, then log in again"
    missing=1
  else
    bad "Docker is not installed (container jobs run in it)" \
      "install Docker Engine: https://docs.docker.com/engine/install/ (Debian/Ubuntu: sudo apt-get install -y docker.io)"
    missing=1
  fi
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
    ok "GPU: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1) ($(nvidia-smi -L | grep -c '^GPU') found)"
    if docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q nvidia; then
      ok "NVIDIA container runtime registered with Docker"
    else
      bad "a GPU is present but Docker has no NVIDIA runtime (GPU jobs could not see it)" \
        "install the NVIDIA Container Toolkit: sudo apt-get install -y nvidia-container-toolkit && sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker"
      missing=1
    fi
  else
    ok "no NVIDIA GPU found (nvidia-smi): the agent takes CPU work only"
  fi
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import numpy' >/dev/null 2>&1; then
    ok "python3 $(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') with numpy $(python3 -c 'import numpy; print(numpy.__version__)')"
  else
    bad "python3 with numpy is needed by the CUDA matmul worker and the llm-inference runtime" \
      "sudo apt-get install -y python3 python3-numpy (or: python3 -m pip install numpy)"
    missing=1
  fi
  if [ "$missing" -ne 0 ]; then
    if [ "$STRICT" -eq 1 ]; then
      say "fix the items marked ✗ and run this again (or pass --skip-checks to install anyway)" >&2
      exit 1
    fi
    say "continuing despite the items marked ✗ (--skip-checks)"
  fi
}

# ---------------------------------------------------------------------------------------------
# 2. The agent's files
# ---------------------------------------------------------------------------------------------
SCRIPT_DIR=""
if [ -n "${BASH_SOURCE[0]:-}" ] && [ -f "${BASH_SOURCE[0]}" ]; then
  SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fi
CHECKOUT=""
if [ -n "$SCRIPT_DIR" ] && [ -f "$SCRIPT_DIR/../agent/cli.ts" ] && [ -d "$SCRIPT_DIR/../node_modules" ]; then
  CHECKOUT="$(cd "$SCRIPT_DIR/.." && pwd)"
fi

# Compiles this checkout's agent into $1 (an empty folder): JavaScript, runtime files, packages.
build_from_checkout() {
  local out="$1"
  say "compiling the agent (TypeScript → JavaScript)"
  (cd "$CHECKOUT" && node node_modules/typescript/bin/tsc -p docker/agent/tsconfig.build.json --outDir "$out")
  cp "$CHECKOUT/sdk/pow/kernel-worker.js" "$out/sdk/pow/kernel-worker.js"
  mkdir -p "$out/sdk/python" "$out/deployments"
  cp "$CHECKOUT/sdk/python/worker.py" "$CHECKOUT/sdk/python/infer.py" "$out/sdk/python/"
  cp -r "$CHECKOUT/sdk/python/rigel_pow" "$CHECKOUT/sdk/python/rigel_llm" "$out/sdk/python/"
  find "$out/sdk/python" -name '__pycache__' -prune -exec rm -rf {} + 2>/dev/null || true
  find "$CHECKOUT/deployments" -maxdepth 1 -name '*.json' -exec cp {} "$out/deployments/" \;
  cp "$CHECKOUT/docker/agent/rigel.js" "$out/rigel.js"
  node -e '
    const p = require(process.argv[1]);
    const out = { name: "rigel-agent", version: p.version, private: true, license: p.license, engines: p.engines };
    require("fs").writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
  ' "$CHECKOUT/package.json" "$out/package.json"
  say "copying the packages the agent loads at run time"
  node "$CHECKOUT/docker/agent/copyProductionModules.js" "$CHECKOUT" "$out" | sed 's/^/install-agent: /'
}

# Unpacks a release tarball (URL or file) into $1.
build_from_release() {
  local out="$1" tarball
  if [ -f "$RELEASE" ]; then
    tarball="$RELEASE"
  else
    tarball="$(mktemp /tmp/rigel-agent-release.XXXXXX)"
    say "downloading $RELEASE"
    curl -fsSL "$RELEASE" -o "$tarball"
  fi
  tar -xzf "$tarball" -C "$out"
  [ -f "$out/rigel.js" ] || { say "$RELEASE is not a rigel-agent release (no rigel.js)" >&2; exit 1; }
}

if [ -n "$PACK" ]; then
  [ -n "$CHECKOUT" ] || { say "--pack needs a checkout with node_modules" >&2; exit 1; }
  STAGE="$(mktemp -d /tmp/rigel-agent-pack.XXXXXX)"
  trap 'rm -rf "$STAGE"' EXIT
  build_from_checkout "$STAGE"
  tar -C "$STAGE" --numeric-owner --owner=0 --group=0 -czf "$PACK" .
  say "release tarball: $PACK ($(du -h "$PACK" | cut -f1))"
  exit 0
fi

check_prerequisites

if [ -z "$RELEASE" ] && [ -z "$CHECKOUT" ]; then
  say "not run from a checkout: pass --release URL (the rigel-agent tarball of a release)" >&2
  exit 2
fi

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
STAGE="$DIR/.app.new"
rm -rf "$STAGE" "$DIR/.app.old"
mkdir -p "$STAGE"
trap 'rm -rf "$STAGE"' EXIT
if [ -n "$RELEASE" ]; then build_from_release "$STAGE"; else build_from_checkout "$STAGE"; fi
# Swap in one rename each: a failed build above leaves the previous install untouched.
if [ -d "$DIR/app" ]; then mv "$DIR/app" "$DIR/.app.old"; fi
mv "$STAGE" "$DIR/app"
rm -rf "$DIR/.app.old"

# ---------------------------------------------------------------------------------------------
# 3. The launcher
# ---------------------------------------------------------------------------------------------
cat >"$DIR/rigel" <<'EOF'
#!/bin/sh
# The Rigel operator agent (installed by install-agent.sh): rigel agent <command> [flags]
here="$(dirname "$(readlink -f "$0")")"
exec node "$here/app/rigel.js" "$@"
EOF
chmod 755 "$DIR/rigel"
mkdir -p "$DIR/data"
say "installed in $DIR ($(du -sh "$DIR/app" | cut -f1)): $DIR/rigel agent --help"

# ---------------------------------------------------------------------------------------------
# 4. The keystore and config
# ---------------------------------------------------------------------------------------------
if [ "$INIT" -eq 0 ]; then
  say "skipping rigel agent init (--no-init)"
elif [ -f "$DIR/rigel-agent.json" ]; then
  say "$DIR/rigel-agent.json exists: keeping the keystore and config (next: $DIR/rigel agent doctor)"
else
  say "creating the operator key (rigel agent init)"
  init=("$DIR/rigel" agent init --config "$DIR/rigel-agent.json" --keystore "$DIR/operator.keystore.json" --data-dir "$DIR/data")
  # Piped into bash (curl … | bash), stdin is the script: the password prompt reads the terminal.
  if [ ! -t 0 ] && [ -z "${RIGEL_AGENT_KEYSTORE_PASSWORD:-}" ] && (: </dev/tty) 2>/dev/null; then
    (cd "$DIR" && "${init[@]}" </dev/tty)
  else
    (cd "$DIR" && "${init[@]}")
  fi
fi

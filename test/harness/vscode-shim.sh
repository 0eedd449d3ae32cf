#!/bin/sh
# The executable that @vscode/test-electron launches in place of VS Code; see vscode-shim.mjs.
exec node "$(dirname "$0")/vscode-shim.mjs" "$@"

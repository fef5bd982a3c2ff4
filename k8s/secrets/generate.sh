#!/usr/bin/env bash
# Writes k8s/secrets/secrets.env with fresh random secrets (git-ignored). An existing file keeps
# its values and only gets the secrets it lacks (--force replaces them all).
# kustomize turns it into the Secret `ordersaga-secrets`. Rotate a key by editing the file:
# put a new kid=secret pair first in SESSION_TOKEN_KEYS (or GATEWAY_CONTEXT_KEYS) and keep the old
# one until the tokens (contexts) signed with it are no longer in use.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/secrets.env"
[[ "${1:-}" == "--force" ]] && rm -f "$out"
rand() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-32; }
umask 077
touch "$out"
added=0
add() {
  if ! grep -q "^$1=" "$out"; then
    echo "$1=$2" >> "$out"
    added=$((added + 1))
  fi
}
add POSTGRES_PASSWORD "$(rand)"
add ORDERS_DB_PASSWORD "$(rand)"
add STOCK_DB_PASSWORD "$(rand)"
add INTERNAL_SECRET "$(rand)"
add SESSION_TOKEN_KEYS "k$(date +%Y%m%d)=$(rand)"
add GATEWAY_CONTEXT_KEYS "k$(date +%Y%m%d)=$(rand)"
echo "$out: $added secret(s) added" >&2

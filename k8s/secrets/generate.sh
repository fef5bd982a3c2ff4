#!/usr/bin/env bash
# Writes k8s/secrets/secrets.env with fresh random secrets (git-ignored); keeps an existing file.
# kustomize turns it into the Secret `ordersaga-secrets`. Rotate a key by editing the file:
# put a new kid=secret pair first in SESSION_TOKEN_KEYS and keep the old one until tokens expire.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/secrets.env"
if [[ -f "$out" && "${1:-}" != "--force" ]]; then
  echo "$out exists (use --force to replace it)" >&2
  exit 0
fi
rand() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-32; }
umask 077
cat > "$out" <<ENV
POSTGRES_PASSWORD=$(rand)
ORDERS_DB_PASSWORD=$(rand)
STOCK_DB_PASSWORD=$(rand)
INTERNAL_SECRET=$(rand)
SESSION_TOKEN_KEYS=k$(date +%Y%m%d)=$(rand)
ENV
echo "wrote $out" >&2

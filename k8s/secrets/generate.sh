#!/usr/bin/env bash
# Writes k8s/secrets/secrets.env with fresh random secrets (git-ignored). An existing file keeps
# its values and only gets the secrets it lacks (--force replaces them all).
# kustomize turns it into the Secret `ordersaga-secrets`. Rotate a key by editing the file:
# put a new kid=secret pair first in SESSION_TOKEN_KEYS (or GATEWAY_CONTEXT_KEYS) and keep the old
# one until the tokens (contexts) signed with it are no longer in use.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/secrets.env"
[[ "${1:-}" == "--force" ]] && rm -f "$out" "$(dirname "$out")/jwt-private.pem"
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
# Customers' tokens: the api verifies them with the public key (one line of base64 DER in the
# Secret). The private key stays in jwt-private.pem beside this script, out of the Secret: the lab
# mints tokens with it, and so can you (README, "Security"). With a real identity provider, set
# MP_JWT_VERIFY_PUBLICKEY_LOCATION to its JWKS URL instead.
dir="$(dirname "$out")"
if [[ ! -f "$dir/jwt-private.pem" ]]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt-private.pem" 2>/dev/null
  sed -i '/^MP_JWT_VERIFY_PUBLICKEY=/d' "$out"
fi
add MP_JWT_VERIFY_PUBLICKEY "$(openssl pkey -in "$dir/jwt-private.pem" -pubout -outform DER 2>/dev/null | base64 -w0)"
echo "$out: $added secret(s) added" >&2

#!/usr/bin/env bash
# Validates k8s/ against a real kube-apiserver (with etcd) on loopback:
#   1. render with `kubectl kustomize` and submit with `kubectl apply --dry-run=server --validate=strict`
#      (and check that a manifest with an unknown field is refused, so this step can fail);
#   2. the policy check: the configuration contract is set, the NetworkPolicies admit exactly the
#      connections the services' configuration needs, each toggle cuts exactly what it names;
#   3. apply for real and drive k8s/chaos/partition.sh: each toggle `on` removes exactly its allows
#      (and `status` says so), `off` restores them.
# Needs root the first time (apt-get: etcd-server, golang-go to build kube-apiserver, cached in
# /var/cache/ordersaga/kube). Run after `./mvnw -B install` (the policy check is in devstack).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
k8s="$root/k8s"
state="$(mktemp -d)"
cleanup() { "$k8s/validate/apiserver.sh" stop "$state" || true; rm -rf "$state"; }
trap cleanup EXIT
step() { echo "== k8s validation: $*"; }

if ! command -v kubectl >/dev/null; then
  echo "kubectl is needed (Debian: kubernetes-client, or the upstream binary)" >&2
  exit 1
fi
"$k8s/secrets/generate.sh"   # adds any secret a newer version needs

step "starting kube-apiserver and etcd"
eval "$("$k8s/validate/apiserver.sh" start "$state")"
kubectl version 2>/dev/null | sed 's/^/   /' || true

rendered="$state/rendered.yaml"
kubectl kustomize "$k8s" > "$rendered"
echo "   rendered $(grep -c '^kind:' "$rendered") objects"

step "server-side dry run, strict validation"
kubectl create namespace ordersaga >/dev/null
kubectl apply --dry-run=server --validate=strict -f "$rendered" 2>&1 | grep -v 'last-applied-configuration' | sed 's/^/   /'
test "${PIPESTATUS[0]}" -eq 0

step "a broken manifest is refused"
if sed 's/^\(      containers:\)$/\1\n      bogusField: true/' "$rendered" \
    | kubectl apply --dry-run=server --validate=strict -f - >/dev/null 2>"$state/broken.err"; then
  echo "   a manifest with an unknown field was accepted: validation is not strict" >&2
  exit 1
fi
echo "   refused: $(grep -v '^Warning' "$state/broken.err" | head -1)"

step "policy check (configuration contract, needed paths, toggles)"
(cd "$root" && ./mvnw -B -q -pl devstack exec:java -Dexec.mainClass=dev.ordersaga.netpol.PolicyCheck \
  -Dexec.args="$rendered $root") | sed 's/^/   /'
test "${PIPESTATUS[0]}" -eq 0

step "apply, then each partition toggle on and off"
kubectl apply --validate=strict -f "$rendered" 2>&1 | grep -v 'last-applied-configuration' | tail -1 | sed 's/^/   /'
all_policies() { kubectl get networkpolicy -n ordersaga -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort; }
full="$(all_policies)"
partition="$k8s/chaos/partition.sh"
failures=0
while read -r toggle selector _; do
  [[ -z "$toggle" || "$toggle" == \#* ]] && continue
  named="$(kubectl kustomize "$k8s/network-policies" | kubectl apply --dry-run=client -l "$selector" -o name -f - 2>/dev/null \
    | sed 's|.*/||' | sort || true)"
  "$partition" --no-restart "$toggle" on >/dev/null
  left="$(all_policies)"
  removed="$(comm -23 <(echo "$full") <(echo "$left"))"
  state_on="$("$partition" status | awk -v t="$toggle" '$1 == t { print $2 }')"
  "$partition" --no-restart "$toggle" off >/dev/null
  restored="$(all_policies)"
  state_off="$("$partition" status | awk -v t="$toggle" '$1 == t { print $2 }')"
  if [[ -z "$removed" || "$removed" != "$named" || "$state_on" != on || "$restored" != "$full" || "$state_off" != off ]]; then
    echo "   $toggle: FAILED (removed: $(echo $removed); named: $(echo $named); status on/off: $state_on/$state_off)" >&2
    failures=$((failures + 1))
  else
    echo "   $toggle: on removes $(echo $removed), off restores them"
  fi
done < "$k8s/chaos/toggles"
if [[ "$("$partition" status | awk '$2 != "off"' | wc -l)" -ne 0 ]]; then
  echo "   some toggle is still on at the end" >&2; failures=$((failures + 1))
fi
[[ $failures -eq 0 ]] || exit 1
step "all good"

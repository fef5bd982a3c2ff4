#!/usr/bin/env bash
# Cuts and heals the system's network paths by removing and restoring NetworkPolicy allows.
#
#   k8s/chaos/partition.sh <toggle> on|off     cut (on) or heal (off) one path
#   k8s/chaos/partition.sh status              which toggles are on
#   k8s/chaos/partition.sh list                the toggles and the policies each removes
#
# Toggles: api-to-worker, worker-to-api (one way: api->worker keeps working), api-to-gateway,
#          api-to-postgres, worker-to-postgres, gateway-to-redis-0|1|2, isolate-redis-0|1|2
#
# Options (before the toggle): -n NAMESPACE (default ordersaga), --no-restart.
# On some CNIs a connection that was open when its allow went away keeps flowing (the CNI admits
# established flows from its connection tracking). So that the cut is real, `on` restarts the
# workload on the client side of the path (kubectl rollout restart): its new pods start with the
# allow gone and every pooled connection is new, hence refused. Use --no-restart on CNIs that drop
# established flows too, or when you want to see how long pooled connections survive. The database
# toggles restart nothing (a service does not start without its database): on such a CNI they cut new
# connections only, and the services' pools retire idle connections after DATABASE_QUERY_TIMEOUT / 2.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
policies_dir="$here/../network-policies"
namespace=ordersaga
restart=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) namespace="$2"; shift 2 ;;
    --no-restart) restart=false; shift ;;
    *) break ;;
  esac
done

toggles_file="$here/toggles"
# toggle -> label selector of the allows it removes, and the workload that holds its client connections
field() { awk -v t="$1" -v f="$2" '!/^#/ && $1 == t { print $f; found=1 } END { exit !found }' "$toggles_file"; }
selector() { field "$1" 2; }
client_workload() { field "$1" 3; }
TOGGLES=$(awk '!/^#/ && NF { print $1 }' "$toggles_file" | tr '\n' ' ')

render() { kubectl kustomize "$policies_dir"; }

# names of the rendered policies that carry label key=value
expected_names() {
  local key="${1%%=*}" value="${1#*=}"
  render | awk -v key="$key" -v value="$value" '
    /^---/ { if (hit && name) print name; hit=0; name=""; inmeta=0; next }
    /^metadata:/ { inmeta=1; next }
    inmeta && /^  name: / { name=$2 }
    inmeta && $1 == key":" && $2 == value { hit=1 }
    /^[a-z]/ && !/^metadata:/ { inmeta=0 }
    END { if (hit && name) print name }' | sort
}

present_names() {
  kubectl get networkpolicy -n "$namespace" -l "$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort
}

status_of() {
  local sel; sel=$(selector "$1")
  local expected present
  expected=$(expected_names "$sel")
  present=$(present_names "$sel")
  if [[ -z "$present" ]]; then echo on
  elif [[ "$present" == "$expected" ]]; then echo off
  else echo partial
  fi
}

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

case "${1:-}" in
  status)
    for t in $TOGGLES; do printf '%-20s %s\n' "$t" "$(status_of "$t")"; done
    ;;
  list)
    for t in $TOGGLES; do printf '%-20s %s\n' "$t" "$(expected_names "$(selector "$t")" | tr '\n' ' ')"; done
    ;;
  "") usage ;;
  *)
    toggle="$1"; action="${2:-}"
    sel=$(selector "$toggle") || { echo "unknown toggle '$toggle' (one of: $TOGGLES)" >&2; exit 2; }
    case "$action" in
      on)
        kubectl delete networkpolicy -n "$namespace" -l "$sel" --ignore-not-found
        if $restart && [[ "$(client_workload "$toggle")" != - ]]; then
          kubectl rollout restart -n "$namespace" "$(client_workload "$toggle")"
          kubectl rollout status -n "$namespace" "$(client_workload "$toggle")" --timeout=180s
        fi
        ;;
      off)
        render | kubectl apply -n "$namespace" -l "$sel" -f -
        ;;
      *) usage ;;
    esac
    echo "$toggle: $(status_of "$toggle")"
    ;;
esac

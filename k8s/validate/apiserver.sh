#!/usr/bin/env bash
# Starts a real kube-apiserver (built by build-kube-apiserver.sh) over etcd on loopback, and writes
# a kubeconfig for it. Prints `export KUBECONFIG=...`; stop it with `apiserver.sh stop <dir>`.
#   k8s/validate/apiserver.sh start <dir>
#   k8s/validate/apiserver.sh stop <dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?start|stop}"; dir="${2:?state directory}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

case "$cmd" in
  stop)
    for p in apiserver etcd; do
      if [[ -f "$dir/$p.pid" ]]; then kill "$(cat "$dir/$p.pid")" 2>/dev/null || true; fi
    done
    sleep 1
    for p in apiserver etcd; do
      if [[ -f "$dir/$p.pid" ]]; then kill -9 "$(cat "$dir/$p.pid")" 2>/dev/null || true; rm -f "$dir/$p.pid"; fi
    done
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop <dir>" >&2; exit 2 ;;
esac

apiserver="$("$here/build-kube-apiserver.sh")"
if ! command -v etcd >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >&2
fi

etcd_client=$(free_port); etcd_peer=$(free_port); secure=$(free_port)
etcd --name validate --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "validate=http://127.0.0.1:$etcd_peer" > "$dir/etcd.log" 2>&1 &
echo $! > "$dir/etcd.pid"

# service account signing key, static admin token
openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token,admin,admin,system:masters" > "$dir/tokens.csv"

"$apiserver" --etcd-servers "http://127.0.0.1:$etcd_client" \
  --bind-address 127.0.0.1 --secure-port "$secure" --cert-dir "$dir/certs" \
  --token-auth-file "$dir/tokens.csv" --authorization-mode AlwaysAllow \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$dir/sa.pub" \
  --service-account-signing-key-file "$dir/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --disable-admission-plugins ServiceAccount \
  > "$dir/apiserver.log" 2>&1 &
echo $! > "$dir/apiserver.pid"

cat > "$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: validate
  cluster:
    server: https://127.0.0.1:$secure
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: $token
contexts:
- name: validate
  context: {cluster: validate, user: admin}
current-context: validate
KC

for i in $(seq 1 120); do
  if KUBECONFIG="$dir/kubeconfig" kubectl get --raw /readyz >/dev/null 2>&1; then
    echo "export KUBECONFIG=$dir/kubeconfig"
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
    echo "kube-apiserver exited; its log:" >&2; tail -30 "$dir/apiserver.log" >&2; exit 1
  fi
  sleep 1
done
echo "kube-apiserver did not become ready; its log:" >&2; tail -30 "$dir/apiserver.log" >&2
exit 1

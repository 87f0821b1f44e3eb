#!/usr/bin/env bash
# Regenerate deploy/kubeconform/schemas: the JSON schemas kubeconform validates the Helm chart's
# manifests against (scripts/deploy-check.sh), without downloading them at check time. Run it
# after adding a kind to the chart, or to move to another Kubernetes version (K8S_VERSION; the
# chart is rendered for the same version). Needs the Go module proxy, once.
#
# Built-in kinds come from the OpenAPI document of the k8s.io/kubernetes module, the
# ServiceMonitor from the CRD in the prometheus-operator module. The CloudNativePG Cluster has no
# schema here (its module is not on the proxy): deploy-check skips that kind.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
OUT=deploy/kubeconform/schemas
KINDS=(
  v1/ConfigMap v1/Secret v1/Service v1/ServiceAccount v1/PersistentVolumeClaim
  apps/v1/Deployment batch/v1/Job policy/v1/PodDisruptionBudget autoscaling/v2/HorizontalPodAutoscaler
  monitoring.coreos.com/v1/ServiceMonitor
)

module_dir() { # the extracted module in the module cache, downloaded if needed
  (cd tools && GOFLAGS=-mod=mod go mod download -json "$1") | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}
k8s="$(module_dir "k8s.io/kubernetes@$K8S_VERSION")"
promop="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
[[ -n "$k8s" && -n "$promop" ]] || { echo "k8s-schemas: module download failed" >&2; exit 1; }

rm -rf "$OUT"
(cd tools && go run ./k8sschema -out "../$OUT" \
  -swagger "$k8s/api/openapi-spec/swagger.json" \
  -crd "$promop/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
  "${KINDS[@]}")
printf 'Kubernetes %s, prometheus-operator %s (scripts/k8s-schemas.sh)\n' "$K8S_VERSION" "$PROMETHEUS_OPERATOR_VERSION" >"$OUT/VERSION"

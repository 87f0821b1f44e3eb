#!/usr/bin/env bash
# What `make deploy-check` runs: checks of deploy/ that need no cluster and no network.
#
#   1. Prometheus (promtool, Debian package "prometheus"): the scrape configuration, the alert
#      rules, their unit tests (deploy/prometheus/alerts_test.yml), and every query of the
#      Grafana dashboards (deploy/grafana/*.json must parse; its queries must compile).
#   2. Helm (pinned in tools/go.mod): helm lint --strict and helm template of the chart with its
#      default values and with values-example.yaml; every environment variable the server reads
#      (internal/config, cmd/erp) must be a key of the chart's ConfigMap or Secret.
#   3. kubeconform (pinned in tools/go.mod): the rendered manifests against the JSON schemas
#      committed in deploy/kubeconform/schemas (scripts/k8s-schemas.sh makes them), strict; and
#      each manifest of deploy/kubeconform/invalid must be rejected.
#
# The metric names the alerts and dashboards read are checked against a real scrape by
# TestMetricsExposeJobsOutboxDeliveriesAndRateLimit (internal/httpapi, in make test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO="${GO:-go}"
KUBE_VERSION="1.36.3" # the version deploy/kubeconform/schemas were made from (see its VERSION)
CHART=deploy/helm/mif-erp
SCHEMAS='deploy/kubeconform/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json'
# CloudNativePG's Cluster has no schema (its module is not on the Go module proxy).
SKIP=postgresql.cnpg.io/v1/Cluster
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step() { printf '==> %s\n' "$*"; }
fail() { printf 'deploy-check: %s\n' "$*" >&2; exit 1; }

# --- Prometheus and Grafana --------------------------------------------------------------------
command -v promtool >/dev/null || fail "promtool not found: apt-get install prometheus (Debian), or put promtool on PATH"
step "promtool $(promtool --version 2>&1 | head -1 | awk '{print $3}')"
# --syntax-only: the bearer token file named in the configuration exists only on the server.
promtool check config --syntax-only deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/alerts.yml
promtool test rules deploy/prometheus/alerts_test.yml

step "Grafana dashboards"
command -v node >/dev/null || fail "node not found (it reads the dashboards' JSON)"
# Every query of every dashboard, as recording rules promtool compiles (Grafana's variables
# replaced by values).
node - "$tmp/dashboard-rules.yml" deploy/grafana/*.json <<'JS'
const fs = require("fs");
const [out, ...files] = process.argv.slice(2);
const groups = [];
for (const file of files) {
  let doc;
  try { doc = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { console.error(`${file}: ${e.message}`); process.exit(1); }
  const exprs = [];
  (function walk(v) {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) { if (k === "expr" && typeof x === "string") exprs.push(x); else walk(x); }
  })(doc);
  if (!exprs.length) { console.error(`${file}: no query`); process.exit(1); }
  groups.push({ name: file, rules: exprs.map((e, i) => ({
    record: `dashboard:query_${i}`,
    expr: e.replaceAll("$__rate_interval", "5m").replaceAll("$__interval", "1m").replace(/\$\{?[A-Za-z_]+\}?/g, ".*"),
  })) });
  console.log(`${file}: ${exprs.length} queries`);
}
fs.writeFileSync(out, JSON.stringify({ groups }, null, 1)); // JSON is YAML
JS
promtool check rules "$tmp/dashboard-rules.yml"

# --- Helm ---------------------------------------------------------------------------------------
HELM=("$GO" tool -modfile=tools/go.mod helm)
KUBECONFORM=("$GO" tool -modfile=tools/go.mod kubeconform)
pinned() { awk -v m="$1" '$1 == m {print $2}' tools/go.mod; }
step "helm $(pinned helm.sh/helm/v3) (tools/go.mod)"
"${HELM[@]}" lint --strict --kube-version "$KUBE_VERSION" "$CHART"
"${HELM[@]}" lint --strict --kube-version "$KUBE_VERSION" "$CHART" -f "$CHART/values-example.yaml"
"${HELM[@]}" template erp "$CHART" --kube-version "$KUBE_VERSION" >"$tmp/default.yaml"
"${HELM[@]}" template erp "$CHART" --kube-version "$KUBE_VERSION" -f "$CHART/values-example.yaml" >"$tmp/example.yaml"
"${HELM[@]}" template erp "$CHART" --kube-version "$KUBE_VERSION" \
  --set autoscaling.enabled=false,podDisruptionBudget.enabled=false,migrations.enabled=false,serviceAccount.create=false \
  --set config.STORAGE_URL=s3://docs,serviceMonitor.enabled=true,existingSecret=erp-secrets >"$tmp/minimal.yaml"
for f in default example minimal; do
  printf '  %-8s %s\n' "$f:" "$(grep '^kind:' "$tmp/$f.yaml" | awk '{print $2}' | sort | uniq -c | tr -s ' ' | paste -sd, -)"
done

step "every server variable is in the chart's ConfigMap or Secret"
vars="$( (grep -ohE 'r\.[A-Za-z]+\("[A-Z][A-Z0-9_]*"' -r --include='*.go' --exclude='*_test.go' internal/config | sed -E 's/.*\("//; s/"$//'
  grep -ohE 'os\.(Getenv|LookupEnv)\("[A-Z][A-Z0-9_]*"' cmd/erp/main.go | sed -E 's/.*\("//; s/"$//') | sort -u)"
[[ $(wc -l <<<"$vars") -gt 40 ]] || fail "found only $(wc -l <<<"$vars") variables in internal/config: the pattern is out of date"
missing=()
for v in $vars; do
  grep -qE "^  $v: " "$tmp/default.yaml" || missing+=("$v")
done
((${#missing[@]} == 0)) || fail "not in the chart's ConfigMap or Secret (values.yaml config/secret): ${missing[*]}"
echo "  $(wc -l <<<"$vars") variables, all present"

# --- kubeconform --------------------------------------------------------------------------------
step "kubeconform $(pinned github.com/yannh/kubeconform) against deploy/kubeconform/schemas ($(cat deploy/kubeconform/schemas/VERSION))"
"${KUBECONFORM[@]}" -strict -summary -kubernetes-version "$KUBE_VERSION" -schema-location "$SCHEMAS" -skip "$SKIP" \
  "$tmp/default.yaml" "$tmp/example.yaml" "$tmp/minimal.yaml"
for f in deploy/kubeconform/invalid/*.yaml; do
  if out="$("${KUBECONFORM[@]}" -strict -kubernetes-version "$KUBE_VERSION" -schema-location "$SCHEMAS" "$f" 2>&1)"; then
    fail "kubeconform accepted $f, which is invalid on purpose"
  fi
  grep -q " is invalid: " <<<"$out" || fail "kubeconform failed on $f without saying it is invalid: $out"
  echo "  rejected as expected: $f: ${out##* - at }"
done
step "deploy-check: OK"

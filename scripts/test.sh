#!/usr/bin/env bash
# The whole test suite, installing and building whatever is missing first: type check, lint, format, unit,
# integration (real containers), end-to-end (real Pulumi engine, real Docker, the local Kubernetes).
# Prints the time each step took (`[test] <step>: N s`), each part's time, and one closing line
# `N passed, N failed, N skipped`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
# step NAME COMMAND...: runs COMMAND and prints how long it took.
step() {
  local name="$1" t0=$SECONDS
  shift
  echo "[test] $name"
  "$@"
  echo "[test] $name: $((SECONDS - t0)) s"
}
step "setup (npm packages, Docker engine, Redis image, Pulumi toolchain)" bash scripts/setup.sh --no-stack
# The Kubernetes e2e tests' cluster and Pulumi's provider for it: built here, where it shows as a step of
# its own, not inside a test's hook (each part is rebuilt only when missing or changed).
step "local Kubernetes and pulumi-resource-kubernetes (scripts/k8s/build.sh)" bash scripts/k8s/build.sh all
# The version matrix's other images (test/e2e/versions.test.ts, kubernetesVersions.test.ts): Redis 7.0 from
# this machine's Debian release and Valkey 8.1 from trixie's packages, kept in a download cache (seconds once
# built or cached).
step "Redis 7.0 and Valkey 8.1 images (scripts/lib/redis-image.sh)" bash -c \
  'for image in "$@"; do bash scripts/lib/redis-image.sh "$image" >/dev/null; done' images \
  "$REDIS_STACK_LOCAL_IMAGE_REDIS7" "$REDIS_STACK_LOCAL_IMAGE_VALKEY8"
# Pulumi YAML's language host, for the YAML program that declares RedisStack through the component package.
step "pulumi-language-yaml (scripts/lib/pulumi-language-yaml.sh)" bash scripts/lib/pulumi-language-yaml.sh
# The real Prometheus the metrics e2e tests scrape the exporters with (test/support/prometheus.ts), built from
# the Go module proxy into a cache (about 3 min cold, well under a second once built). Its path comes from a
# second call, which finds the binary the step built.
step "Prometheus for the metrics e2e (scripts/lib/prometheus.sh)" bash -c 'bash scripts/lib/prometheus.sh >/dev/null'
REDIS_STACK_TEST_PROMETHEUS="${REDIS_STACK_TEST_PROMETHEUS:-$(bash scripts/lib/prometheus.sh | tail -n 1)}"
export REDIS_STACK_TEST_PROMETHEUS
export REDIS_STACK_TEST_IMAGE="${REDIS_STACK_TEST_IMAGE:-$(cat node_modules/.redis-stack-image)}"
export REDIS_STACK_TEST_METRICS_IMAGE="${REDIS_STACK_TEST_METRICS_IMAGE:-$(cat node_modules/.redis-stack-metrics-image)}"
export REDIS_STACK_TEST_BACKUP_IMAGE="${REDIS_STACK_TEST_BACKUP_IMAGE:-$(cat node_modules/.redis-stack-backup-image)}"
step "type check (tsc --noEmit, strict)" npx tsc --noEmit -p .
step "lint (typescript-eslint) and format (prettier --check)" bash -c 'npx eslint . && npx prettier --check --log-level warn .'

# The suites in two parts at once, which share no port, subnet, namespace or process: everything on Docker
# (unit, integration, e2e on Docker) and the e2e on the local Kubernetes. Each part's lines carry its name.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
part() {
  local name="$1"
  shift
  "$@" 2>&1 | tee "$logs/$name.log" | sed -u "s/^/[$name] /"
}
# The e2e files on Docker wait in a queue that both parts take from, one file at a time, once their own
# files are done: the longest first (the `slowest files` line, docs/BENCHMARKS.md), then the rest by name. The
# kubernetes part, done first, takes the last ones, rather than leave the docker part running them alone on a
# half-idle machine. Each file has its own ports and subnet, so two of them may run at once. consumerPackage and
# yamlProgram are not queued: both pack this checkout (npm pack writes dist/ here), so the docker part runs them
# itself, one after the other.
queue="$logs/docker-e2e-queue"
{
  for name in versions stack dataSafety tlsSwitch nodeSettings upgrade users interrupted tls backup scheduledBackup; do
    if [ -f "test/e2e/$name.test.ts" ]; then echo "test/e2e/$name.test.ts"; fi
  done
  ls test/e2e/*.test.ts
} | grep -v -e '/kubernetes' -e '/consumerPackage\.' -e '/yamlProgram\.' | awk '!seen[$0]++' >"$queue"
# Every mocha run says so first (`mocha run: ...`): a run that ends without its closing line failed.
# --exit: a test that fails with a client still open would otherwise keep its part waiting after its report (seen here).
run_mocha() {
  echo "mocha run: $*"
  npx mocha --exit --timeout 600000 "$@"
}
# Takes the queue's next file and runs it, until none is left; fails when any of them failed.
run_queued() {
  local file status=0
  while file=$(flock "$queue.lock" bash -c 'head -n 1 "$1" && sed -i 1d "$1"' queue "$queue") && [ -n "$file" ]; do
    run_mocha "$file" || status=1
  done
  return "$status"
}
docker_suites() {
  local status=0
  run_mocha 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' test/e2e/consumerPackage.test.ts test/e2e/yamlProgram.test.ts || status=1
  run_queued || status=1
  return "$status"
}
# The local cluster once for the whole part (each suite would start and stop it otherwise, 15-25 s each).
kubernetes_suites() {
  local started=0 status=0
  local cache="${REDIS_STACK_K8S_CACHE:-$HOME/.cache/redis-stack/k8s}"
  if ! "$cache/bin/kubectl" --kubeconfig "$cache/admin.kubeconfig" get --raw /readyz --request-timeout=3s >/dev/null 2>&1; then
    # Its daemons outlive the script: they get a log file, not this part's output pipe.
    if bash scripts/k8s/up.sh >"$logs/k8s-up.txt" 2>&1 </dev/null; then started=1; else
      cat "$logs/k8s-up.txt"
      status=1
    fi
  fi
  if [ "$status" = 0 ]; then run_mocha 'test/e2e/kubernetes*.test.ts' || status=1; fi
  if [ "$started" = 1 ]; then bash scripts/k8s/down.sh >/dev/null 2>&1 </dev/null || true; fi
  run_queued || status=1
  return "$status"
}
echo "[test] unit, integration and end-to-end suites, in two parts at once: docker and kubernetes"
t0=$SECONDS
part docker docker_suites &
docker_part=$!
part kubernetes kubernetes_suites &
kubernetes_part=$!
status=0
wait "$docker_part" || status=1
wait "$kubernetes_part" || status=1
echo "[test] suites: $((SECONDS - t0)) s"
# Each mocha run's reporter closes with `slowest files: ...`, `time by part: ...` and `N passed, N failed, N
# skipped`. Summed here: the twelve slowest files on Docker and on Kubernetes, each part's time, the counts.
for kind in docker kubernetes; do
  slowest=$(grep -h '^slowest files: ' "$logs"/*.log | sed 's/^slowest files: //; s/, /\n/g' |
    awk -v kind="$kind" '(kind == "kubernetes") == ($1 ~ /\/kubernetes/)' | sort -k2,2nr | head -n 12 | paste -sd '|' | sed 's/|/, /g')
  if [ -n "$slowest" ]; then echo "slowest files: $slowest"; fi
done
cat "$logs"/*.log | awk '
  /^mocha run: / { runs++ }
  /^time by part: / {
    sub(/^time by part: /, ""); sub(/ \(mocha .*$/, "")
    n = split($0, items, ", ")
    for (i = 1; i <= n; i++) {
      at = match(items[i], / [0-9]+ s$/)
      name = substr(items[i], 1, at - 1)
      if (!(name in seconds)) order[++names] = name
      seconds[name] += substr(items[i], at + 1) + 0
    }
  }
  /^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { p += $1; f += $3; s += $5; closed++ }
  END {
    for (i = 1; i <= names; i++) parts = parts (i > 1 ? ", " : "") order[i] " " seconds[order[i]] " s"
    print "time by part: " parts
    if (closed < runs) f += runs - closed  # a run that ended without its closing line failed
    print p " passed, " f " failed, " s " skipped"
  }'
exit "$status"

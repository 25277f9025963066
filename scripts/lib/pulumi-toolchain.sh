#!/usr/bin/env bash
# Ensure the Pulumi toolchain this project needs is in $HOME/.pulumi/bin:
#   pulumi                   the CLI (any version already present is accepted)
#   pulumi-language-nodejs   the Node.js language host (upstream, else this project's own in
#                            scripts/language-host, rebuilt whenever that source changes)
#   pulumi-resource-command  the command provider (v1.2.1)
# plus the pulumi-resource-pulumi-nodejs shim (dynamic providers) that the
# official CLI bundle puts next to `pulumi`.
#
# Machines here reach only the npm registry, the Go module proxy and apt, so
# get.pulumi.com is tried once (it normally fails fast) and everything else is
# built from Go modules at ONE pinned version. Safe to re-run: present
# binaries are reused (the fallback language host only while its source is
# unchanged), and Go's module and build caches make a rebuild cheap.
set -euo pipefail

# Pinned CLI/SDK version: github.com/pulumi/pulumi/{pkg,sdk}/v3 are both served
# by the Go proxy at this version and build with Go 1.26 (npm @pulumi/pulumi is
# 3.270.0; the proxy refuses the pkg/v3 v3.270.0 zip, so the nearest newer one).
PULUMI_VERSION="3.274.1"
COMMAND_PROVIDER_VERSION="1.2.1"

BIN_DIR="$HOME/.pulumi/bin"
BUILD_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/redis-stack/pulumi-build-$PULUMI_VERSION"
PKG_MOD="github.com/pulumi/pulumi/pkg/v3"
SDK_MOD="github.com/pulumi/pulumi/sdk/v3"
LANG_MOD="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
# Stamp the version into the binaries so `pulumi version` is right.
LDFLAGS="-X $SDK_MOD/go/common/version.Version=v$PULUMI_VERSION"

log() { printf '[pulumi-toolchain] %s\n' "$*"; }
die() { printf '[pulumi-toolchain] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN_DIR"
# No network update checks from `pulumi version` below.
export PULUMI_SKIP_UPDATE_CHECK=true
# Put BIN_DIR on PATH for this script, so tools installed earlier are found.
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) PATH="$BIN_DIR:$PATH" ;; esac
export PATH

# existing NAME: print the path of NAME if it is on PATH (which includes BIN_DIR).
existing() { command -v "$1" 2>/dev/null || true; }

# found NAME: true (and says so) when NAME is already installed.
found() {
  local path
  path="$(existing "$1")"
  [[ -n "$path" ]] || return 1
  log "$1: using existing $path"
}

need_go() {
  command -v go >/dev/null 2>&1 || die "go is not installed; it is needed to build $1"
}

# replace_flags_from GOMOD: print `-replace=old=new` flags for each replace in
# GOMOD whose target is a module (not a local ../path: those point inside the
# upstream repo and are covered by our own require lines).
replace_flags_from() {
  # shellcheck disable=SC2016 # JavaScript template literal, not shell
  go mod edit -json "$1" | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      for (const r of JSON.parse(s).Replace || []) {
        if (!r.New.Version) continue; // local directory replacement: skip
        const old = r.Old.Path + (r.Old.Version ? "@" + r.Old.Version : "");
        console.log(`-replace=${old}=${r.New.Path}@${r.New.Version}`);
      }
    });'
}

# module_dir MOD@VER: download a module into the module cache and print its dir
# (fails, printing the proxy's answer on stderr, if the proxy does not serve it).
module_dir() {
  local json dir
  json="$(go mod download -json "$1" 2>/dev/null || true)"
  dir="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [[ -z "$dir" ]]; then
    printf '%b\n' "$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p')" >&2
    return 1
  fi
  printf '%s\n' "$dir"
}

# prepare_module DIR NAME MAIN_MOD: a scratch module in DIR requiring pkg, sdk
# and MAIN_MOD at PULUMI_VERSION, with MAIN_MOD's non-local replaces copied in
# so the build resolves dependencies the way the upstream build does.
prepare_module() {
  local dir="$1" name="$2" main="$3" m mdir
  mkdir -p "$dir"
  cd "$dir"
  [[ -f go.mod ]] || go mod init "$name" >/dev/null 2>&1
  # MAIN_MOD first, so a refusal by the proxy fails fast.
  for m in "$main" "$PKG_MOD" "$SDK_MOD"; do
    go mod edit -require="$m@v$PULUMI_VERSION"
  done
  mdir="$(module_dir "$main@v$PULUMI_VERSION")" || return 1
  local flags
  flags="$(replace_flags_from "$mdir/go.mod")"
  log "  replaces copied from $main/go.mod: ${flags:-none}"
  # shellcheck disable=SC2086 # one flag per line, no spaces inside
  [[ -z "$flags" ]] || go mod edit $flags
}

# ---------------------------------------------------------------------------
# 1. pulumi CLI
ensure_cli() {
  local path
  path="$(existing pulumi)"
  if [[ -n "$path" ]]; then
    log "pulumi: using existing $path ($("$path" version 2>/dev/null || echo 'version unknown'))"
    return
  fi

  # The official installer is tried first; on these machines it cannot be
  # reached and fails within a second, which is expected.
  local installer
  installer="$(mktemp)"
  log "pulumi: not found; trying the official installer (get.pulumi.com)"
  if curl -fsSL --connect-timeout 5 --max-time 15 https://get.pulumi.com -o "$installer" 2>/dev/null \
     && timeout 300 sh "$installer" --version "$PULUMI_VERSION" --no-edit-path \
     && [[ -x "$BIN_DIR/pulumi" ]]; then
    rm -f "$installer"
    log "pulumi: installed by get.pulumi.com into $BIN_DIR"
    return
  fi
  rm -f "$installer"
  log "pulumi: installer unavailable (normal here); building v$PULUMI_VERSION from the Go module proxy"

  need_go pulumi
  prepare_module "$BUILD_DIR/cli" pulumi-cli-build "$PKG_MOD" || die "could not fetch $PKG_MOD@v$PULUMI_VERSION"
  # A build-tagged import keeps the CLI package in the module graph for tidy.
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi"\n' "$PKG_MOD" > tools.go
  log "pulumi: resolving dependencies (go mod tidy) in $PWD"
  go mod tidy
  log "pulumi: compiling (first time takes several minutes; Go's build cache is kept)"
  go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/pulumi" "$PKG_MOD/cmd/pulumi"
  log "pulumi: built $BIN_DIR/pulumi"
}

# ---------------------------------------------------------------------------
# 2. Node.js language host
# The fallback host is this project's own Go source, scripts/language-host (its go.mod/go.sum pin every
# dependency). The stamp next to the installed binary holds what it was built from: the hash of that
# source, or "upstream" for the upstream module, so a changed host is rebuilt on the next run.
HOST_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../language-host" && pwd)"
HOST_BIN="$BIN_DIR/pulumi-language-nodejs"
HOST_STAMP="$HOST_BIN.redis-stack-source"
# Module paths of the fallback host, now and in earlier versions of this script (a binary built from
# a heredoc, with no stamp, must be rebuilt too).
HOST_MODULES=" redis-stack-language-host pulumi-language-nodejs-lite "

# host_source_hash: the fallback host's source (its Go files but tests, go.mod, go.sum) and the version
# stamped into it.
host_source_hash() {
  local f
  for f in "$HOST_SRC"/*.go "$HOST_SRC/go.mod" "$HOST_SRC/go.sum"; do
    [[ "$f" == *_test.go ]] || cat "$f"
  done | cat - <(printf '%s' "$LDFLAGS") | sha256sum | cut -d' ' -f1
}

# fallback_host_binary PATH: true when PATH was built from this project's fallback host source.
fallback_host_binary() {
  local main
  command -v go >/dev/null 2>&1 || return 1
  main="$(go version -m "$1" 2>/dev/null | awk '$1 == "path" { print $2; exit }')"
  [[ -n "$main" && "$HOST_MODULES" == *" $main "* ]]
}

# language_host_current: true (and says so) when the installed host needs no (re)build: one outside
# BIN_DIR or not built by this script is the user's; ours must match the source.
language_host_current() {
  local path stamp
  path="$(existing pulumi-language-nodejs)"
  [[ -n "$path" ]] || return 1
  stamp="$(cat "$HOST_STAMP" 2>/dev/null || true)"
  if [[ "$path" != "$HOST_BIN" || "$stamp" == upstream* ]] || ! fallback_host_binary "$path"; then
    log "pulumi-language-nodejs: using existing $path"
    return 0
  fi
  if [[ "$stamp" == "$(host_source_hash)" ]]; then
    log "pulumi-language-nodejs: using existing $path (built from ${HOST_SRC#"$PWD/"} as it is now)"
    return 0
  fi
  log "pulumi-language-nodejs: $path was built from other source than $HOST_SRC; rebuilding"
  return 1
}

ensure_language_host() {
  language_host_current && return
  need_go pulumi-language-nodejs
  grep -qE "^(require)?[[:space:]]+$SDK_MOD v$PULUMI_VERSION([[:space:]]|\$)" "$HOST_SRC/go.mod" \
    || die "$HOST_SRC/go.mod does not require $SDK_MOD v$PULUMI_VERSION (PULUMI_VERSION here); update both together"

  # Preferred: the upstream module. The proxy here refuses it (403 "This
  # module version is not available."), so a fallback follows.
  log "pulumi-language-nodejs: trying $LANG_MOD@v$PULUMI_VERSION from the Go module proxy"
  if (prepare_module "$BUILD_DIR/language-nodejs" pulumi-language-nodejs-build "$LANG_MOD") 2>&1; then
    (cd "$BUILD_DIR/language-nodejs" \
      && printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$LANG_MOD" > tools.go \
      && go mod tidy \
      && go build -trimpath -ldflags "$LDFLAGS" -o "$HOST_BIN" "$LANG_MOD")
    echo "upstream v$PULUMI_VERSION" > "$HOST_STAMP"
    log "pulumi-language-nodejs: built upstream host into $BIN_DIR"
    return
  fi

  # Fallback: the small host in scripts/language-host, built against sdk/v3 at the pinned version with
  # exactly the dependencies its go.sum records. It runs @pulumi/pulumi's own cmd/run script with node,
  # which is all `pulumi up/preview/refresh/destroy` and the Automation API need.
  log "pulumi-language-nodejs: upstream module not served; building the fallback host from $HOST_SRC"
  local hash
  hash="$(host_source_hash)"
  (cd "$HOST_SRC" && go build -mod=readonly -buildvcs=false -trimpath -ldflags "$LDFLAGS" -o "$HOST_BIN.new" .)
  mv -f "$HOST_BIN.new" "$HOST_BIN"
  echo "$hash" > "$HOST_STAMP"
  log "pulumi-language-nodejs: built $HOST_BIN (fallback host, source $hash)"
}

# ---------------------------------------------------------------------------
# 2b. pulumi-resource-pulumi-nodejs: the dynamic-provider shim that the official
# CLI bundle ships next to `pulumi`. Without it the CLI tries to download the
# "pulumi-nodejs" plugin from GitHub and `pulumi up` fails for dynamic resources.
ensure_dynamic_provider_shim() {
  local sdk_dir
  found pulumi-resource-pulumi-nodejs && return
  need_go pulumi-resource-pulumi-nodejs
  cd "$BUILD_DIR"
  sdk_dir="$(module_dir "$SDK_MOD@v$PULUMI_VERSION")" || die "could not fetch $SDK_MOD@v$PULUMI_VERSION"
  install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$BIN_DIR/"
  log "pulumi-resource-pulumi-nodejs: copied from $SDK_MOD@v$PULUMI_VERSION (nodejs/dist) into $BIN_DIR"
}

# ---------------------------------------------------------------------------
# 3. pulumi-resource-command (only needed by programs that use @pulumi/command)
ensure_command_provider() {
  local out unavailable="$BUILD_DIR/pulumi-resource-command-$COMMAND_PROVIDER_VERSION.unavailable"
  found pulumi-resource-command && return
  # A refusal by the module proxy is final for that version: do not pay for asking on every run
  # (0.5-0.7 s of each `npm run up` here). Delete the file to ask again.
  if [[ -f "$unavailable" ]]; then
    log "pulumi-resource-command: not available here (recorded in $unavailable)"
    return
  fi
  need_go pulumi-resource-command
  log "pulumi-resource-command: go install v$COMMAND_PROVIDER_VERSION"
  if out="$(cd "$BUILD_DIR" && GOBIN="$BIN_DIR" go install -trimpath \
      "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command@v$COMMAND_PROVIDER_VERSION" 2>&1)"; then
    log "pulumi-resource-command: installed $BIN_DIR/pulumi-resource-command"
  else
    # Not fatal: the proxy here does not serve github.com/pulumi/pulumi-command/provider,
    # and only programs using @pulumi/command need this plugin.
    log "pulumi-resource-command: NOT AVAILABLE (continuing without it): ${out##*$'\n'}"
    # Only a definite answer is recorded, never a network failure that may pass.
    if [[ "$out" == *"does not contain package"* || "$out" == *"not found"* ]]; then printf '%s\n' "$out" > "$unavailable"; fi
  fi
}

# ---------------------------------------------------------------------------
log "pinned PULUMI_VERSION=$PULUMI_VERSION; bin dir $BIN_DIR; build dir $BUILD_DIR"
mkdir -p "$BUILD_DIR"
( ensure_cli )
( ensure_language_host )
( ensure_dynamic_provider_shim )
( ensure_command_provider )

# No second `pulumi version` here (about 0.19 s of every `npm run up`): ensure_cli logged the version of
# a CLI it found, and one it installed or built is v$PULUMI_VERSION.
for b in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-resource-command; do
  log "$b: $(command -v "$b" || echo 'missing')"
done
log "add to PATH: export PATH=\"$BIN_DIR:\$PATH\""

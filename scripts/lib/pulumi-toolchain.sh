#!/usr/bin/env bash
# Ensure the Pulumi toolchain this project needs is in $HOME/.pulumi/bin:
#   pulumi                   the CLI (any version already present is accepted)
#   pulumi-language-nodejs   the Node.js language host
#   pulumi-resource-command  the command provider (v1.2.1)
# plus the pulumi-resource-pulumi-nodejs shim (dynamic providers) that the
# official CLI bundle puts next to `pulumi`.
#
# Machines here reach only the npm registry, the Go module proxy and apt, so
# get.pulumi.com is tried once (it normally fails fast) and everything else is
# built from Go modules at ONE pinned version. Safe to re-run: present
# binaries are reused, and Go's module and build caches make a rebuild cheap.
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
ensure_language_host() {
  found pulumi-language-nodejs && return
  need_go pulumi-language-nodejs

  # Preferred: the upstream module. The proxy here refuses it (403 "This
  # module version is not available."), so a fallback follows.
  log "pulumi-language-nodejs: trying $LANG_MOD@v$PULUMI_VERSION from the Go module proxy"
  if (prepare_module "$BUILD_DIR/language-nodejs" pulumi-language-nodejs-build "$LANG_MOD") 2>&1; then
    (cd "$BUILD_DIR/language-nodejs" \
      && printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$LANG_MOD" > tools.go \
      && go mod tidy \
      && go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/pulumi-language-nodejs" "$LANG_MOD")
    log "pulumi-language-nodejs: built upstream host into $BIN_DIR"
    return
  fi

  # Fallback: a small host of our own (below), built against sdk/v3 at the
  # pinned version. It runs @pulumi/pulumi's own cmd/run script with node, which
  # is all `pulumi up/preview/refresh/destroy` and the Automation API need.
  log "pulumi-language-nodejs: upstream module not served; building the minimal host from this script"
  local dir="$BUILD_DIR/language-nodejs-lite"
  mkdir -p "$dir"
  cd "$dir"
  [[ -f go.mod ]] || go mod init pulumi-language-nodejs-lite >/dev/null 2>&1
  go mod edit -require="$SDK_MOD@v$PULUMI_VERSION"
  write_language_host_source > main.go
  go mod tidy
  go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/pulumi-language-nodejs" .
  log "pulumi-language-nodejs: built $BIN_DIR/pulumi-language-nodejs (minimal host)"
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
  local out
  found pulumi-resource-command && return
  need_go pulumi-resource-command
  log "pulumi-resource-command: go install v$COMMAND_PROVIDER_VERSION"
  if out="$(cd "$BUILD_DIR" && GOBIN="$BIN_DIR" go install -trimpath \
      "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command@v$COMMAND_PROVIDER_VERSION" 2>&1)"; then
    log "pulumi-resource-command: installed $BIN_DIR/pulumi-resource-command"
  else
    # Not fatal: the proxy here does not serve github.com/pulumi/pulumi-command/provider,
    # and only programs using @pulumi/command need this plugin.
    log "pulumi-resource-command: NOT AVAILABLE (continuing without it): ${out##*$'\n'}"
  fi
}

# The fallback language host's Go source (this project's own code).
write_language_host_source() {
  cat <<'GO'
// Minimal Node.js language host (pulumi-language-nodejs) for the Pulumi CLI.
// It runs @pulumi/pulumi's cmd/run script from the program's node_modules
// with node, passing the flags and environment variables that script reads.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Exit code @pulumi/pulumi uses after it has already shown the user the error.
const exitAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine  string
	tracing string
}

func main() {
	// Flags the CLI (or an older one) may pass. -v and -logtostderr are usually
	// registered already by glog (a dependency), so define only what is missing.
	tracing := flag.String("tracing", "", "tracing endpoint")
	for _, name := range []string{"root", "tsconfig", "nodeargs", "packagemanager", "v"} {
		if flag.Lookup(name) == nil {
			flag.String(name, "", "ignored")
		}
	}
	for _, name := range []string{"typescript", "logtostderr"} {
		if flag.Lookup(name) == nil {
			flag.Bool(name, false, "ignored: options come from Pulumi.yaml via RunRequest")
		}
	}
	flag.Parse()

	h := &host{tracing: *tracing}
	if flag.NArg() > 0 {
		h.engine = flag.Arg(flag.NArg() - 1) // the engine address is the last argument
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port) // the CLI reads our port from the first stdout line
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// programDir is the directory holding the program and its node_modules.
func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

// GetRequiredPlugins lists resource plugins declared by installed packages
// ("pulumi": {"resource": true} in package.json). The CLI calls this when
// GetRequiredPackages is unimplemented.
func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	nm := filepath.Join(programDir(req.GetInfo(), req.GetProgram()), "node_modules")
	var dirs []string
	entries, _ := os.ReadDir(nm)
	for _, e := range entries {
		p := filepath.Join(nm, e.Name())
		if strings.HasPrefix(e.Name(), "@") {
			sub, _ := os.ReadDir(p)
			for _, s := range sub {
				dirs = append(dirs, filepath.Join(p, s.Name()))
			}
		} else {
			dirs = append(dirs, p)
		}
	}
	var plugins []*pulumirpc.PluginDependency
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "package.json"))
		if err != nil {
			continue
		}
		var pkg struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Pulumi  struct {
				Resource bool   `json:"resource"`
				Name     string `json:"name"`
				Version  string `json:"version"`
				Server   string `json:"server"`
			} `json:"pulumi"`
		}
		if json.Unmarshal(b, &pkg) != nil || !pkg.Pulumi.Resource {
			continue
		}
		name, ver := pkg.Pulumi.Name, pkg.Pulumi.Version
		if name == "" {
			name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
		}
		if ver == "" {
			ver = pkg.Version
		}
		if ver != "" && !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: name, Kind: "resource", Version: ver, Server: pkg.Pulumi.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// Run executes the program through @pulumi/pulumi's cmd/run script.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := info.GetOptions().AsMap()

	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	// Resolve the run script from the program's own node_modules.
	resolve := exec.CommandContext(ctx, node, "-e",
		"console.log(require.resolve('@pulumi/pulumi/cmd/run'))")
	resolve.Dir = dir
	out, err := resolve.Output()
	if err != nil {
		return &pulumirpc.RunResponse{Error: "It looks like the Pulumi SDK has not been installed. " +
			"Have you run npm install or yarn install?"}, nil
	}

	var args []string
	if na, ok := opts["nodeargs"].(string); ok && na != "" {
		args = append(args, strings.Fields(na)...)
	}
	args = append(args, strings.TrimSpace(string(out)))
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", dir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cfg, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	typescript := true // on by default; Pulumi.yaml runtime.options.typescript overrides
	if v, ok := opts["typescript"].(bool); ok {
		typescript = v
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(cfg),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript),
	)
	if ts, ok := opts["tsconfig"].(string); ok && ts != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+ts)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// InstallDependencies runs `npm install` in the program directory (`pulumi install`).
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	cmd := exec.CommandContext(stream.Context(), "npm", "install")
	cmd.Dir = programDir(req.GetInfo(), req.GetDirectory())
	out, err := cmd.CombinedOutput()
	if sendErr := stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out}); sendErr != nil {
		return sendErr
	}
	if err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return nil
}
GO
}

# ---------------------------------------------------------------------------
log "pinned PULUMI_VERSION=$PULUMI_VERSION; bin dir $BIN_DIR; build dir $BUILD_DIR"
mkdir -p "$BUILD_DIR"
( ensure_cli )
( ensure_language_host )
( ensure_dynamic_provider_shim )
( ensure_command_provider )

log "pulumi version: $(pulumi version)"
for b in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-resource-command; do
  log "$b: $(command -v "$b" || echo 'missing')"
done
log "add to PATH: export PATH=\"$BIN_DIR:\$PATH\""

// Minimal Node.js language host (pulumi-language-nodejs) for the Pulumi CLI.
// It runs @pulumi/pulumi's cmd/run script from the program's node_modules
// with node, passing the flags and environment variables that script reads,
// and (RunPlugin) its cmd/run-plugin script for a plugin written for Node.js,
// such as this project's component package (PulumiPlugin.yaml).
//
// scripts/lib/pulumi-toolchain.sh builds it (go build -mod=readonly) where the upstream host module is
// not served, and rebuilds it whenever this source changes. Its sdk/v3 version goes with PULUMI_VERSION
// there: change both, then `go get github.com/pulumi/pulumi/sdk/v3@v<version> && go mod tidy` here.
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
	runScript, err := sdkScript(ctx, node, dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	var args []string
	if na, ok := opts["nodeargs"].(string); ok && na != "" {
		args = append(args, strings.Fields(na)...)
	}
	args = append(args, runScript)
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

	cfg, secretKeys, err := configEnv(req)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)
	env = append(env, typescriptEnv(opts)...)

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

// sdkScript resolves one of @pulumi/pulumi's scripts from the program's (or plugin's) own node_modules.
func sdkScript(ctx context.Context, node, dir, module string) (string, error) {
	resolve := exec.CommandContext(ctx, node, "-e", "console.log(require.resolve(process.argv[1]))", module)
	resolve.Dir = dir
	out, err := resolve.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s: it looks like the Pulumi SDK has not been installed. "+
			"Have you run npm install or yarn install?", module, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

// typescriptEnv passes the runtime options about TypeScript (Pulumi.yaml or PulumiPlugin.yaml
// runtime.options) to @pulumi/pulumi's scripts. TypeScript is on unless `typescript: false`.
func typescriptEnv(opts map[string]interface{}) []string {
	typescript := true
	if v, ok := opts["typescript"].(bool); ok {
		typescript = v
	}
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + strconv.FormatBool(typescript)}
	if ts, ok := opts["tsconfig"].(string); ok && ts != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+ts)
	}
	return env
}

// pluginCommand is the node command line of a resource plugin written for Node.js (a component package:
// PulumiPlugin.yaml with `runtime: nodejs`): @pulumi/pulumi's run-plugin script loads the plugin directory's
// package.json `main` and serves what it exports; the engine's arguments (its address first) follow.
func pluginCommand(runScript string, req *pulumirpc.RunPluginRequest) ([]string, error) {
	if req.GetKind() == "analyzer" {
		return nil, errors.New("policy packs (analyzer plugins) are not supported by this language host")
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return nil, errors.New("RunPlugin: no plugin directory in the request")
	}
	args := []string{runScript}
	if na, ok := req.GetInfo().GetOptions().AsMap()["nodeargs"].(string); ok && na != "" {
		args = append(args, strings.Fields(na)...)
	}
	args = append(args, dir)
	return append(args, req.GetArgs()...), nil
}

// RunPlugin runs a Node.js resource plugin for the engine, streaming its stdout (its port first) and stderr
// back, until the engine cancels the call or the plugin exits.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	runScript, err := sdkScript(ctx, node, req.GetInfo().GetProgramDirectory(), "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	args, err := pluginCommand(runScript, req)
	if err != nil {
		return err
	}
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(env, typescriptEnv(req.GetInfo().GetOptions().AsMap())...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return fmt.Errorf("plugin exited with non-zero exit code: %d", exitErr.ExitCode())
		}
		return fmt.Errorf("could not run the plugin with node: %w", err)
	}
	return closer.Close()
}

// configEnv renders the stack's config and its secret keys as the JSON that @pulumi/pulumi reads from
// PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS. A stack with no config gets `{}` and `[]`, as from the
// upstream host: json.Marshal of the nil map and slice the request then holds gives `null`, on which
// the SDK fails with "Cannot convert undefined or null to object".
func configEnv(req *pulumirpc.RunRequest) (config string, secretKeys string, err error) {
	values := req.GetConfig()
	if values == nil {
		values = map[string]string{}
	}
	keys := req.GetConfigSecretKeys()
	if keys == nil {
		keys = []string{}
	}
	c, err := json.Marshal(values)
	if err != nil {
		return "", "", err
	}
	k, err := json.Marshal(keys)
	if err != nil {
		return "", "", err
	}
	return string(c), string(k), nil
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

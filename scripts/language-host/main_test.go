package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestConfigEnvOfAStackWithNoConfigIsEmptyJSON(t *testing.T) {
	config, secretKeys, err := configEnv(&pulumirpc.RunRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if config != "{}" || secretKeys != "[]" {
		t.Fatalf("got PULUMI_CONFIG=%s PULUMI_CONFIG_SECRET_KEYS=%s; want {} and []", config, secretKeys)
	}
}

func TestConfigEnvPassesValuesAndSecretKeys(t *testing.T) {
	config, secretKeys, err := configEnv(&pulumirpc.RunRequest{
		Config:           map[string]string{"redis-stack:masters": "4"},
		ConfigSecretKeys: []string{"redis-stack:password"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if config != `{"redis-stack:masters":"4"}` || secretKeys != `["redis-stack:password"]` {
		t.Fatalf("got PULUMI_CONFIG=%s PULUMI_CONFIG_SECRET_KEYS=%s", config, secretKeys)
	}
}

// pluginStream collects what RunPlugin streams back to the engine.
type pluginStream struct {
	grpc.ServerStream
	ctx            context.Context
	mu             sync.Mutex
	stdout, stderr strings.Builder
}

func (s *pluginStream) Context() context.Context { return s.ctx }

func (s *pluginStream) Send(r *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdout.Write(r.GetStdout())
	s.stderr.Write(r.GetStderr())
	return nil
}

// fakePluginDir is a plugin directory whose @pulumi/pulumi run-plugin script reports how it was started
// and exits with $EXIT_CODE.
func fakePluginDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js")
	if err := os.MkdirAll(filepath.Dir(script), 0o755); err != nil {
		t.Fatal(err)
	}
	source := `console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(), ` +
		`marker: process.env.MARKER, typescript: process.env.PULUMI_NODEJS_TYPESCRIPT }));
console.error("a line on stderr");
process.exitCode = Number(process.env.EXIT_CODE || 0);
`
	if err := os.WriteFile(script, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runPluginRequest(t *testing.T, pluginDir string, env ...string) *pulumirpc.RunPluginRequest {
	t.Helper()
	return &pulumirpc.RunPluginRequest{
		Pwd:  t.TempDir(),
		Args: []string{"127.0.0.1:4242"},
		Env:  append([]string{"PATH=" + os.Getenv("PATH")}, env...),
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: pluginDir},
		Kind: "resource",
	}
}

func TestRunPluginRunsThePluginDirectoryThroughRunPluginAndStreamsItsOutput(t *testing.T) {
	dir := fakePluginDir(t)
	req := runPluginRequest(t, dir, "MARKER=from-the-engine")
	stream := &pluginStream{ctx: context.Background()}
	if err := (&host{}).RunPlugin(req, stream); err != nil {
		t.Fatalf("RunPlugin: %v (stderr %q)", err, stream.stderr.String())
	}
	want := `{"args":["` + dir + `","127.0.0.1:4242"],"cwd":"` + req.Pwd + `","marker":"from-the-engine","typescript":"true"}` + "\n"
	if got := stream.stdout.String(); got != want {
		t.Fatalf("stdout %q; want %q", got, want)
	}
	if got := stream.stderr.String(); got != "a line on stderr\n" {
		t.Fatalf("stderr %q", got)
	}
}

func TestRunPluginReportsAPluginThatExitsWithAnError(t *testing.T) {
	req := runPluginRequest(t, fakePluginDir(t), "EXIT_CODE=3")
	err := (&host{}).RunPlugin(req, &pluginStream{ctx: context.Background()})
	if err == nil || !strings.Contains(err.Error(), "exit code: 3") {
		t.Fatalf("got %v; want an error naming exit code 3", err)
	}
}

func TestRunPluginSaysWhenThePluginHasNoPulumiSDK(t *testing.T) {
	req := runPluginRequest(t, t.TempDir())
	err := (&host{}).RunPlugin(req, &pluginStream{ctx: context.Background()})
	if err == nil || !strings.Contains(err.Error(), "@pulumi/pulumi/cmd/run-plugin") {
		t.Fatalf("got %v; want an error naming the missing run-plugin script", err)
	}
}

func TestPluginCommandPutsNodeargsBeforeThePluginDirectory(t *testing.T) {
	options, err := structpb.NewStruct(map[string]interface{}{"nodeargs": "--max-old-space-size=512"})
	if err != nil {
		t.Fatal(err)
	}
	args, err := pluginCommand("/run-plugin", &pulumirpc.RunPluginRequest{
		Args: []string{"127.0.0.1:1"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/plugin", Options: options},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(args, " "); got != "/run-plugin --max-old-space-size=512 /plugin 127.0.0.1:1" {
		t.Fatalf("got %q", got)
	}
}

func TestPluginCommandRefusesPolicyPacks(t *testing.T) {
	_, err := pluginCommand("/run-plugin", &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/policy"},
	})
	if err == nil || !strings.Contains(err.Error(), "policy packs") {
		t.Fatalf("got %v; want policy packs refused", err)
	}
}

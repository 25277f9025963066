// Declares a RedisStack through the generated Go SDK under Pulumi's mocks (no engine, no Go language host:
// neither is served here) and writes, as JSON, the resources it registered to $REGISTERED_JSON.
// test/e2e/sdkGeneration.test.ts runs it with `go test` in a module next to the SDK and checks that file.
package sdkcheck

import (
	"encoding/json"
	"os"
	"testing"

	redisstack "example.com/pulumi-redis-stack/sdk/go/redis-stack"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type mocks struct{ registered *[]map[string]interface{} }

func (m mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	*m.registered = append(*m.registered, map[string]interface{}{
		"type": args.TypeToken, "name": args.Name, "inputs": args.Inputs.Mappable(),
	})
	return args.Name + "-id", args.Inputs, nil
}

func (mocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func TestDeclareRedisStack(t *testing.T) {
	var registered []map[string]interface{}
	bridge := redisstack.NetworkModeBridge // the schema's enum, a typed constant in Go
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := redisstack.NewRedisStack(ctx, "cache", &redisstack.RedisStackArgs{
			BasePort:          pulumi.Float64Ref(7000),
			ReplicasPerMaster: pulumi.Float64Ref(1),
			NetworkMode:       &bridge,
			// A list of objects (Go's generator needed generateExtraInputTypes for it: plugin/servePlugin.ts).
			AllowFrom: []redisstack.NetworkPeerArgs{
				{NamespaceSelector: map[string]string{"team": "payments"}},
				{Cidr: pulumi.StringRef("10.20.0.0/16")},
			},
		})
		return err
	}, pulumi.WithMocks("project", "stack", mocks{&registered}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(registered)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("REGISTERED_JSON"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

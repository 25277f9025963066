package main

import (
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
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

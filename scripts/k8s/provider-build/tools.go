//go:build tools

// Package tools pins the provider command that ../build.sh builds, so that `go mod tidy` records
// every module it needs in go.sum. The build tag keeps it out of any real build.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
)

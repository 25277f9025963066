//go:build tools

// Package tools pins kube-router, the NetworkPolicy controller ../build.sh builds for the local cluster
// (only its firewall part runs: see ../up.sh), so that `go mod tidy` records every module it needs in
// go.sum. v2.1.0 is the only version the Go module proxy serves here; flaws are reported for it, which a
// throwaway test cluster on one machine can live with. The build tag keeps it out of any real build.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"

//go:build tools

// Package tools pins Prometheus (github.com/prometheus/prometheus, module version v0.316.0: Prometheus
// 3.16.0), the real server that the metrics e2e tests scrape the exporters' targets with
// (test/support/prometheus.ts). Test-only: nothing the stack deploys runs it. ../../lib/prometheus.sh builds
// cmd/prometheus from this module with the tags netgo,remove_all_sd (no service discovery but static
// targets; no UI assets, which the module zip does not hold: the HTTP API is all the tests use), and
// `go mod tidy` records every module that needs in go.sum. The build tag keeps it out of any real build.
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"

//go:build tools

// Package tools pins redis_exporter (oliver006/redis_exporter), the Prometheus exporter that
// ../../lib/exporter-image.sh builds into a local image when the upstream one cannot be pulled, so
// that `go mod tidy` records every module it needs in go.sum. v1.97.0: the Go module proxy refuses
// v1.67.0 here (403, "This module version is not available"). The image's tag and the
// redis-stack.exporter-version label follow this version (exporter-image.sh reads it from go.mod).
// The build tag keeps it out of any real build.
package tools

import _ "github.com/oliver006/redis_exporter"

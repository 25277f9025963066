// The pod sandbox ("pause") process for the local Kubernetes: it holds the pod's namespaces open
// until it is told to stop and, as PID 1 of pods that share their process namespace, reaps orphans.
// Nothing can be pulled here, so up.sh builds this (static, no cgo) and imports it into the
// cluster's containerd as the CRI sandbox image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			return
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

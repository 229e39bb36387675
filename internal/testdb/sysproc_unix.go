//go:build unix && !linux

package testdb

import "syscall"

// sysProcAttr runs a cluster program as cred. Outside Linux there is no
// parent-death signal; the janitor process cleans up after a killed test.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}

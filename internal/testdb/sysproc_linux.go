package testdb

import "syscall"

// sysProcAttr runs a cluster program as cred and has the kernel kill it if
// the test binary dies first.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
}

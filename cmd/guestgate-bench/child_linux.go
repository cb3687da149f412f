package main

import "syscall"

// childAttr makes the kernel kill guestgate's process when the load
// generator dies without closing its stdin.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

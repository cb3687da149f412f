//go:build !linux

package main

import "syscall"

// childAttr: without Linux's parent-death signal, guestgate's process
// stops when its stdin ends.
func childAttr() *syscall.SysProcAttr { return nil }

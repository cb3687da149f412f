package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
)

// listenOn binds addr for the flag that named it; an address already in
// use says which flag chooses another.
func listenOn(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is already in use (--%s): another program listens there; choose a free address, e.g. --%s 127.0.0.1:18080: %w", addr, flag, flag, err)
	}
	return nil, fmt.Errorf("--%s %s: %w", flag, addr, err)
}

// demoPublicURL is the demo's public URL: the one given, which must reach
// the address the demo listens on, or else the listener's own URL.
func demoPublicURL(given string, ln net.Listener) (string, error) {
	own := listenerURL(ln)
	if given == "" {
		return own, nil
	}
	g, err := url.Parse(given)
	if err != nil {
		return "", fmt.Errorf("--public-url %q: %w", given, err)
	}
	o, _ := url.Parse(own)
	if g.Port() != o.Port() {
		return "", fmt.Errorf("--public-url %s does not reach --listen %s (port %s, not %s): the demo's links and its sample app would be dead; leave --public-url out and the demo uses %s", given, ln.Addr(), portOrDefault(g), o.Port(), own)
	}
	return given, nil
}

// portOrDefault is u's port, or the scheme's default.
func portOrDefault(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

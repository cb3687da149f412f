package main

import (
	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/server"
)

// appsWithSignUp is what `app create` uses: the apps, and the directory
// that turns an app's sign-up on.
type appsWithSignUp struct {
	admin.Apps
	admin.Directory
}

// openAppsWithSignUp builds appsWithSignUp over b.
func openAppsWithSignUp(b *server.Base) (appsWithSignUp, error) {
	a, err := b.Apps()
	if err != nil {
		return appsWithSignUp{}, err
	}
	d, err := b.Directory()
	if err != nil {
		return appsWithSignUp{}, err
	}
	return appsWithSignUp{Apps: a, Directory: d}, nil
}

package admin

import "errors"

// ErrPublicURLUnknown: an admin command would build a link (a redeem URL)
// but no public URL was given and serve never stored one.
var ErrPublicURLUnknown = errors.New("guestgate does not know its public URL, so it cannot build links: start `guestgate serve` once with GUESTGATE_PUBLIC_URL set, run `guestgate migrate --public-url https://…`, or pass --public-url")

// ErrSecretRequired: a client secret is sealed with a key derived from the
// deployment secret, so an admin command that stores one needs it.
var ErrSecretRequired = errors.New("storing a client secret needs the deployment secret: set GUESTGATE_SECRET (the same as serve's)")

// errMissing names a dependency a constructor was not given.
func errMissing(what string) error {
	return errors.New("admin: " + what + " is missing: the wiring left it out")
}

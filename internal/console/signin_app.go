package console

import "github.com/guestgate/guestgate/internal/signin"

// consoleSignIn continues a console sign-in: the sign-in log names the
// console as the app signed in to, not the tenant's My Apps.
var consoleSignIn = signin.Continuation{Portal: signin.ConsoleName}

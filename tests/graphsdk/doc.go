// Package graphsdk drives guestgate's admin API with Microsoft's Go Graph
// SDK (github.com/microsoftgraph/msgraph-sdk-go), the client scripts and
// services use, to prove that the SDK's requests are accepted and that its
// typed models deserialize guestgate's answers.
//
// It is a module of its own so the SDK, which takes minutes to compile,
// is no dependency of guestgate and `go test ./...` at the repository's
// root does not build it. It imports nothing of guestgate: the test builds
// the guestgate binary from the repository (two directories up), prepares
// a tenant and an app with the CLI, runs `guestgate serve` on SQLite and
// talks to it over HTTP only. scripts/test (the README's test command, which
// .ci/run calls) runs it after the root module's tests.
package graphsdk

// Package storetest is the conformance suite every store engine must pass,
// in the manner of Dex's storage/conformance: an engine's _test.go calls
// Run with a constructor for an empty, migrated store, and the suite runs
// named subtests by domain and rule. RunConcurrent holds the races that
// matter for safety (single-use passcodes, passcode and password
// throttles, outbox claims, bulk invitation rows).
package storetest

import (
	"testing"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
)

// Store is everything an engine implements.
type Store interface {
	store.Transactor
	store.AfterCommitter
	directory.Store
	directory.LifecycleStore
	invitation.Store
	otp.Store
	session.Store
	mail.OutboxStore
	mail.Mailbox
	mail.OutboxReader
	oidc.AppStore
	oidc.KeyStore
	oidc.AuthRequestStore
	policy.Store
	audit.Store
	audit.SignInStore
	audit.SignInCounter
	member.Store
	ratelimit.Store
	federation.Store
	branding.Store
	roles.Store
	roles.GuardStore
	collab.Store
	bulkinvite.Store
	groups.Store
	inactive.Store
	assignment.Store
	inactivepolicy.Store
}

// Open returns a fresh, empty, migrated store for one subtest.
type Open func(t *testing.T) Store

type suite struct {
	name string
	run  func(t *testing.T, open Open)
}

// Run runs the conformance tests, each subtest on a store of its own and
// in parallel with the others.
func Run(t *testing.T, open Open) {
	for _, s := range []suite{
		{"directory", testDirectory},
		{"user_query", testUserQuery},
		{"user_query_wildcards", testUserQueryWildcards},
		{"signin_counts", testSignInCounts},
		{"user_properties", testUserProperties},
		{"inactive_guests", testInactiveGuests},
		{"inactive_policy", testInactivePolicy},
		{"tenant_privacy", testTenantPrivacy},
		{"branding", testBranding},
		{"invitation", testInvitation},
		{"otp", testOTP},
		{"session", testSession},
		{"outbox", testOutbox},
		{"outbox_retention", testOutboxRetention},
		{"apps", testApps},
		{"app_secrets", testAppSecrets},
		{"keys", testKeys},
		{"grants", testGrants},
		{"tx", testTx},
		{"policy", testPolicy},
		{"request_memo", testRequestMemo},
		{"redemption", testRedemption},
		{"audit", testAudit},
		{"signins", testSignIns},
		{"member", testMember},
		{"lifecycle", testLifecycle},
		{"ratelimit", testRateLimit},
		{"federation", testFederation},
		{"roles", testRoles},
		{"collab", testCollab},
		{"bulk", testBulk},
		{"bulk_queued", testBulkQueued},
		{"groups", testGroups},
		{"group_members", testGroupMembers},
		{"group_purges", testGroupPurges},
		{"group_query", testGroupQuery},
		{"app_assignment", testAppAssignment},
		{"app_access", testAppAccess},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel() // each subtest opens a store of its own
			s.run(t, open)
		})
	}
}

// RunConcurrent runs the race tests: many goroutines on one store, the
// subtests in parallel with each other.
func RunConcurrent(t *testing.T, open Open) {
	for _, s := range []suite{
		{"otp", testOTPConcurrent},
		{"outbox", testOutboxConcurrent},
		{"policy", testPolicyConcurrent},
		{"redemption", testRedemptionConcurrent},
		{"member", testMemberConcurrent},
		{"ratelimit", testRateLimitConcurrent},
		{"bulk", testBulkConcurrent},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel() // each subtest opens a store of its own
			s.run(t, open)
		})
	}
}

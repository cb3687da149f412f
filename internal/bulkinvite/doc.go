// Package bulkinvite runs the console's bulk invitations: an uploaded CSV
// becomes a job and its rows in the store (in one transaction), a worker
// invites the rows one after the other, and any process reads a job's
// progress and results, so several processes behind a load balancer
// without sticky sessions behave as one.
//
// The process that took the upload starts the worker at once. A worker
// holds the job's lease (Lease) and extends it with every row; a worker
// that stops gracefully gives the lease up. Run, in every process, takes
// over the jobs whose lease ran out (their process died, or stopped) and
// resumes them, then purges the jobs finished more than Retention ago.
//
// A row is invited exactly once: the row's claim (which checks that the
// worker still holds the lease and that the row is still pending, and
// locks the job until the transaction ends), the invitation with its audit
// record and its mail in the outbox, and the row's result are one
// transaction. A worker that dies in the middle of a row leaves nothing of
// it behind, and the worker that takes over invites the row again; a
// worker whose lease was taken over cannot record anything. So a retried
// row is never a second invitation. (Were it one, the guest would not be
// duplicated, as the invitation service reuses the guest of an address it
// invited before, but the guest would get a second mail and the first
// redeem link would stop working.) The mail itself leaves the outbox at
// least once, as all mail does.
//
// Every row counts once, whatever its result, against its creator's write
// limit: Graph's write limit (ratelimit.Limits.GraphWrites), counted per
// member as Graph counts per app, shared with the member's invitations in
// the console. Over the limit the job waits: the worker keeps the lease
// until the limit's window ends and stops, and the sweep of any process
// resumes the job then (WaitingUntil says until when, for the status
// page). Before each batch of rows the worker checks that the creator may
// still invite (Deps.MayInvite: the tenant's allowInvitesFrom and their
// roles; an enabled member); once they may not, the remaining rows fail.
// The creator is the initiator of the invitations' audit records. A tenant
// has at most Deps.MaxQueued unfinished jobs: Start refuses another.
//
// Failed rows are recorded with the reason the admin must act on (a
// Failure: a blocked domain, an invalid row, …), in no surface's words;
// the console words it in the reader's language. A failure the admin
// cannot correct is tried once more, then recorded as ReasonInternal and
// logged. When
// the database is unavailable, the worker stops and gives up the job, and
// Run resumes it later.
package bulkinvite

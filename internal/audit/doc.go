// Package audit owns the directory audit log: one record per administrative
// change (who, when, what, the old and the new value), served in Graph's
// directoryAudit shape at GET /v1.0/auditLogs/directoryAudits.
//
// A record is written in the same transaction as the change it describes
// (the store call joins the transaction in ctx), so a change and its record
// commit together or not at all. The store numbers each tenant's records in
// commit order (Record.Seq); changes that read a value and rewrite it under
// a lock therefore leave records whose old values chain: each record's old
// value is the previous record's new value.
//
// Policy changes (R10, section 4), redemptions and redemption resets (R7,
// R9) write here. The package also defines the sign-in log (SignIn, Graph's
// signIn at GET /v1.0/auditLogs/signIns), which the sign-in service writes.
// The package imports only store; it does no I/O itself.
package audit

// Package mail owns guestgate's outgoing mail: rendering the invitation and
// passcode mails, the transactional outbox they wait in, and the dispatcher
// that sends them over SMTP.
//
// A domain renders a message (RenderInvitation, RenderPasscode; texts from
// internal/i18n, templates embedded here) and enqueues it with
// OutboxWriter.EnqueueMail in the same transaction as the state that caused
// it, so the mail exists if and only if that state was committed (DESIGN
// section 7). Nothing sends mail inside a transaction.
//
//	msg, err := mail.RenderPasscode(mail.PasscodeMail{To: addr, Code: code, Validity: 30 * time.Minute, …})
//	err = outbox.EnqueueMail(ctx, msg) // ctx carries the transaction
//
// The Dispatcher claims due messages with a lease (OutboxStore.ClaimMail),
// sends them through a Sender and marks them sent, or reschedules them with
// exponential backoff; a claim token makes every outcome conditional on
// still holding the lease, so several processes sharing one database never
// send a message twice while leases hold. It is woken as soon as a
// transaction that enqueued mail commits (in-process, and by PostgreSQL
// LISTEN/NOTIFY across processes) and polls only as a fallback, so a
// passcode leaves within milliseconds of Send code.
//
//	d, err := mail.NewDispatcher(mail.DispatcherConfig{Store: db, Sender: s, Wake: db.OutboxWakeups(ctx)})
//	go d.Run(ctx)
//
// SMTPSender (GUESTGATE_SMTP_URL, parsed by ParseSMTPURL) keeps connections
// open between messages; DevMailbox sends nothing and keeps the newest
// messages in the process for the dev mailbox page.
//
// Delivery is at least once. A message's bodies (the passcode, the redeem
// link) are emptied from the outbox when it is sent or given up; its
// envelope stays for the operator until the retention purge. While a
// dispatcher holds a message it renews the lease (DefaultLease) on a
// heartbeat, so a process that dies leaves its mail claimable within a
// lease. A crash after the SMTP server accepted a message and before the
// send was recorded sends it again, with the same Message-ID (the outbox
// id), so receivers can drop the copy.
//
// Rules kept here: R3 (the passcode mail states the code's validity; the
// code never appears in a subject or a log), R6 (the invitation names no
// identity provider), and DESIGN section 6's invitation mail: from
// "{deployment} on behalf of {tenant}", Reply-To the inviter, the tenant's
// name and domain, the custom message as plain text, Accept invitation, a
// phishing warning. Logs carry message ids, kinds and attempts, never
// bodies.
//
// mail imports no other domain: callers pass plain values. The
// mailtest package is a real SMTP server for tests.
package mail

package mail

import "time"

// Message is one mail as it waits in the outbox. It is rendered before it is
// enqueued, so the dispatcher needs nothing but the message to send it.
type Message struct {
	ID       string // UUID; also the Message-ID's local part, so a resend is recognisable
	TenantID string // "" for deployment-wide mail
	// Kind says why the mail exists ("invitation", "passcode"); for logs and metrics only.
	Kind     string
	To       []string
	Cc       []string
	FromName string // display name; the address is the deployment's GUESTGATE_MAIL_FROM
	ReplyTo  string
	Subject  string
	Text     string
	HTML     string
	// Language is the BCP 47 tag the message was rendered in.
	Language  string
	CreatedAt time.Time
}

// Delivery is an outbox row as the dispatcher sees it.
type Delivery struct {
	Message
	Attempts int
	// ClaimToken identifies this claim; completing a delivery needs it, so a
	// process whose lease expired cannot overwrite a newer claim's outcome.
	ClaimToken string
}

// Status is an outbox row's delivery state, for the dev mailbox and operators.
type Status struct {
	Message
	Attempts  int
	SentAt    time.Time // zero until sent
	LastError string
}

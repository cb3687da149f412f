package mail

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
)

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

// Queued is an outbox row not yet sent, for operators (guestgate outbox
// list): waiting, being retried, or given up. It carries no body.
type Queued struct {
	ID        string
	TenantID  string
	Kind      string
	To        []string
	Subject   string
	CreatedAt time.Time
	Attempts  int
	// NextAttempt is when the message is due; zero once given up.
	NextAttempt time.Time
	// LeasedUntil is the end of a dispatcher's lease; zero or past when
	// no dispatcher holds it.
	LeasedUntil time.Time
	LastError   string
}

// Check reports a message that could not be sent as it is: a recipient or
// Reply-To that is no address, or a subject with a line break. The outbox
// refuses such a message when it is written, so the request that caused it
// fails visibly instead of the mail dying later in the dispatcher.
func (m Message) Check() error {
	if len(m.To) == 0 {
		return errors.New("mail: no recipient")
	}
	for _, a := range append(append([]string{}, m.To...), m.Cc...) {
		if _, err := netmail.ParseAddress(a); err != nil {
			return fmt.Errorf("mail: recipient %q: %w", a, err)
		}
	}
	if m.ReplyTo != "" {
		if _, err := netmail.ParseAddress(m.ReplyTo); err != nil {
			return fmt.Errorf("mail: Reply-To %q: %w", m.ReplyTo, err)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail: the subject has a line break")
	}
	return nil
}

package console

import (
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/i18n"
)

// bulkRow is a bulk invitation's row as the results show it: Error is
// its failure in the reader's language.
type bulkRow struct {
	bulkinvite.Row
	Error string
}

// bulkRows words rows' failures in language l.
func bulkRows(l string, rows []bulkinvite.Row) []bulkRow {
	out := make([]bulkRow, len(rows))
	for i, r := range rows {
		out[i] = bulkRow{Row: r, Error: bulkFailureText(l, r.Failure())}
	}
	return out
}

// bulkFailureText is the console's wording of a row's failure: the same
// as a single invitation's for the same error. A row recorded in words by
// an earlier version keeps them.
func bulkFailureText(l string, f bulkinvite.Failure) string {
	switch f.Reason {
	case bulkinvite.ReasonDeniedDomain:
		return i18n.T(l, "console.invite.denied_domain", f.Detail)
	case bulkinvite.ReasonOwnDomain:
		return i18n.T(l, "console.invite.own_domain")
	case bulkinvite.ReasonMemberExists:
		return i18n.T(l, "console.invite.member_exists")
	case bulkinvite.ReasonInviterRefused:
		return i18n.T(l, "console.bulk.inviter_refused")
	case bulkinvite.ReasonInternal:
		return i18n.T(l, "console.bulk.internal_error")
	}
	return f.Detail // ReasonInvalid: the validation message; or earlier words
}

package directory

import "time"

// DeletedQuery asks for one page of a tenant's deleted users (Graph's
// deletedItems/microsoft.graph.user with $orderby=deletedDateTime).
type DeletedQuery struct {
	// ByDeletedAt orders by the deletion time, then id; else by id.
	ByDeletedAt bool
	// Desc reverses the order.
	Desc bool
	// AfterID and AfterDeletedAt are the last row of the previous page
	// (AfterID "" : the first page); AfterDeletedAt counts only with ByDeletedAt.
	AfterID        string
	AfterDeletedAt time.Time
	// Limit bounds the rows (<= 0: all).
	Limit int
}

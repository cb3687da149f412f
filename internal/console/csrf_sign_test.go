package console

// csrfSign is the console's form token for cookie value v under the current key.
func (h *Handler) csrfSign(v string) string { return h.csrf.Sign(v) }

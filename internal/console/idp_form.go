package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/i18n"
)

// formField is one field of an identity-provider form. Type is text, url,
// password, textarea, radio or checkbox.
type formField struct {
	ID, Label, Type, Value, Help, Err string
	Required                          bool
	Choices                           []choice
	Checked                           bool
	Autocomplete                      string
}

// Described is the field's aria-describedby: its error, then its help.
func (f formField) Described() string {
	var ids []string
	if f.Err != "" {
		ids = append(ids, f.ID+"-error")
	}
	if f.Help != "" {
		ids = append(ids, f.ID+"-help")
	}
	return strings.Join(ids, " ")
}

// fact is a value the admin gives the partner (a URL of this tenant).
type fact struct {
	ID, Label, Value string
}

// idpFormData is an add form of the identity-provider panes.
type idpFormData struct {
	Intro  []string
	Facts  []fact
	Action string
	Fields []formField
	Button string
}

// renderIDPForm shows an add form; a refused change (p) is marked at its
// field, or said above the form when it concerns no field.
func (h *Handler) renderIDPForm(w http.ResponseWriter, r *http.Request, a admin, status int, titleKey string, d idpFormData, p fedProblem) {
	v := h.newView(w, r, a, "idps", titleKey)
	if p.Message != "" {
		v.Error = p.Message
		for i := range d.Fields {
			if d.Fields[i].ID == p.Field {
				d.Fields[i].Err = p.Message
				v.Error = i18n.T(v.Lang, "console.idps.not_saved")
			}
		}
	}
	v.Data = d
	h.render(w, r, status, "idp_form", v)
}

// textField is a text-like field holding the posted value.
func textField(l string, in url.Values, id, typ string, required bool) formField {
	f := formField{ID: id, Type: typ, Label: i18n.T(l, "console.idps.field."+id), Value: in.Get(id), Required: required}
	if help := "console.idps.help." + id; i18n.Has(l, help) {
		f.Help = i18n.T(l, help)
	}
	return f
}

// secretField is a write-only field: what was typed is never shown back.
func secretField(l, id string) formField {
	f := textField(l, url.Values{}, id, "password", true)
	f.Autocomplete = "new-password"
	return f
}

// splitDomains reads domains given one a line, or separated by commas or spaces.
func splitDomains(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' || r == ' ' || r == '\t' })
}

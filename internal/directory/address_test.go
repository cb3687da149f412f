package directory

import (
	"errors"
	"testing"
)

func TestNormalizeAddress(t *testing.T) {
	cases := []struct {
		name, in, want string
		bad            bool
	}{
		{name: "plain", in: "teri@gmail.example", want: "teri@gmail.example"},
		{name: "domain lower-cased, local kept", in: " Teri.Ng@Gmail.Example ", want: "Teri.Ng@gmail.example"},
		{name: "underscore anywhere", in: "_a_@x.example", want: "_a_@x.example"},
		{name: "dot and dash inside", in: "a.b-c@x.example", want: "a.b-c@x.example"},
		{name: "dot first", in: ".a@x.example", bad: true},
		{name: "dash last", in: "a-@x.example", bad: true},
		{name: "plus forbidden", in: "a+b@x.example", bad: true},
		{name: "hash forbidden", in: "a#b@x.example", bad: true},
		{name: "slash forbidden", in: "a/b@x.example", bad: true},
		{name: "no at", in: "teri.example", bad: true},
		{name: "no domain", in: "teri@", bad: true},
		{name: "single-label domain", in: "teri@localhost", bad: true},
		{name: "space", in: "te ri@x.example", bad: true},
		{name: "empty", in: "", bad: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeAddress(c.in)
			if c.bad {
				if !errors.Is(err, ErrInvalidAddress) {
					t.Fatalf("NormalizeAddress(%q) = %q, %v; want ErrInvalidAddress", c.in, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("NormalizeAddress(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestGuestUserPrincipalName(t *testing.T) {
	got := GuestUserPrincipalName("Teri@Gmail.example", "fabrikam.guestgate.local")
	if want := "teri_gmail.example#EXT#@fabrikam.guestgate.local"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

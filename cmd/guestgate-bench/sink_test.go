package main

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/mail"
)

func TestReadMailPasscode(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    mail.PasscodeMail
	}{
		{"tenant named with eight digits", mail.PasscodeMail{TenantName: "12345678", To: "guest@partner.example"}},
		{"address with eight digits", mail.PasscodeMail{TenantName: "Contoso", To: "guest11223344@partner55667788.example"}},
		{"footer with digits", mail.PasscodeMail{TenantName: "Contoso", To: "guest@partner.example", DeploymentName: "guestgate 20250101",
			Brand: mail.Brand{PrivacyURL: "https://99990000.example/privacy/12121212"}}},
		{"all of it", mail.PasscodeMail{TenantName: "12345678", To: "11223344@55667788.example", DeploymentName: "20250101",
			Brand: mail.Brand{PrivacyURL: "https://99990000.example/12121212"}}},
		{"Japanese", mail.PasscodeMail{TenantName: "12345678", To: "11223344@partner.example", Language: "ja"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.Code, tc.m.Validity = "40302010", 30*time.Minute
			msg, err := mail.RenderPasscode(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			code, invitation := readMail(msg.Text)
			if code != "40302010" || invitation {
				t.Fatalf("readMail = %q, invitation %v; want the code 40302010 from\n%s", code, invitation, msg.Text)
			}
		})
	}
}

func TestReadMailInvitation(t *testing.T) {
	msg, err := mail.RenderInvitation(mail.InvitationMail{
		TenantName: "12345678", TenantDomain: "87654321.example", To: "guest11223344@partner.example",
		InviterName: "Admin 55667788", CustomMessage: "Your reference:\n    24681357",
		RedeemURL: "https://guestgate.example/redeem?ticket=13572468",
	})
	if err != nil {
		t.Fatal(err)
	}
	code, invitation := readMail(msg.Text)
	if code != "" || !invitation {
		t.Fatalf("readMail = %q, invitation %v; want an invitation and no code from\n%s", code, invitation, msg.Text)
	}
}

func TestPasscodeInNoCode(t *testing.T) {
	for _, text := range []string{
		"",
		"Your verification code\n\nUse this code to sign in to 12345678:\n\nThe code is valid for 30 minutes.\n",
		"12345678\n",                   // not the indented code line
		"Heading\n\n    12345678\n",    // no line introduces it
		"Intro:\n\n    1234567\n",      // seven digits
		"Intro:\n\n    12345678 and\n", // not alone on its line
	} {
		if code, ok := passcodeIn(text); ok {
			t.Errorf("passcodeIn(%q) = %q, want none", text, code)
		}
	}
	if code, ok := passcodeIn("Intro:\r\n\r\n    12345678\r\n"); !ok || code != "12345678" {
		t.Errorf("passcodeIn with CRLF = %q, %v", code, ok)
	}
}

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestRedeemInvitationWithPasscode is issue 3's journey: an admin app
// invites through the API, the guest follows the mailed link, presses Send
// code, types the mailed code and lands on the redirect URL, signed in and
// Accepted (R2, R3, R4, R6).
func TestRedeemInvitationWithPasscode(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.Read.All")

		var inv map[string]any
		status := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example",
			"invitedUserDisplayName":  "Teri",
			"inviteRedirectUrl":       "https://apps.fabrikam.example/welcome",
			"sendInvitationMessage":   true,
			"invitedUserMessageInfo":  map[string]any{"customizedMessageBody": "Welcome <b>aboard</b>"},
		}, &inv)
		if status != http.StatusCreated {
			t.Fatalf("POST /v1.0/invitations = %d %v, want 201", status, inv)
		}
		userID := inv["invitedUser"].(map[string]any)["id"].(string)
		if inv["status"] != "PendingAcceptance" || inv["invitedUserType"] != "Guest" || !strings.Contains(inv["inviteRedeemUrl"].(string), "/redeem?ticket=") {
			t.Fatalf("invitation shape: %v", inv)
		}

		// R6: the mail names the tenant, not the identity provider.
		invMail := in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
		if !strings.Contains(invMail.Text, "Fabrikam") || strings.Contains(strings.ToLower(invMail.Text), "passcode") {
			t.Fatalf("invitation mail must name the tenant and not the sign-in method:\n%s", invMail.Text)
		}
		link := e2etest.RedeemLink(t, invMail)

		b := e2etest.NewBrowser(t)
		start := b.Get(link)
		if start.Status != http.StatusOK || !strings.Contains(start.Body, "Send code") || !strings.Contains(start.Body, "teri@gmail.example") {
			t.Fatalf("redeem page = %d:\n%s", start.Status, start.Body)
		}
		sent := b.Submit(in.URL, start, "/redeem/send", nil)
		if sent.Status != http.StatusSeeOther || !strings.HasPrefix(sent.Location, "/redeem/code?ticket=") {
			t.Fatalf("Send code = %d → %q:\n%s", sent.Status, sent.Location, sent.Body)
		}
		codePage := b.Get(in.URL + sent.Location)
		if !strings.Contains(codePage.Body, "30 minutes") {
			t.Fatalf("the code page must explain expiry:\n%s", codePage.Body)
		}
		code := e2etest.Passcode(t, in.Mail.WaitFor(t, func(m mailtest.Received) bool {
			return mailtest.To("teri@gmail.example")(m) && m.MessageID() != invMail.MessageID()
		}))

		done := in.ConsentStep(b, b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": code}), tn)
		if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example/welcome" {
			t.Fatalf("verify = %d → %q, want redirect to inviteRedirectUrl:\n%s", done.Status, done.Location, done.Body)
		}
		ck := e2etest.CookieNamed(done.Header, "gg_session_"+tn.ID)
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Value == "" {
			t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Lax", ck)
		}

		var user map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+userID+"?$select=externalUserState,userType,userPrincipalName", nil, &user); s != http.StatusOK {
			t.Fatalf("GET user = %d %v", s, user)
		}
		if user["externalUserState"] != "Accepted" || user["userType"] != "Guest" || user["userPrincipalName"] != "teri_gmail.example#EXT#@fabrikam.guestgate.local" {
			t.Fatalf("user after redemption: %v", user)
		}

		// The code is single use (R3), and the redeemed link now says so.
		again := b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": code})
		if again.Status != http.StatusSeeOther || !strings.HasPrefix(again.Location, "/redeem/code?") {
			t.Fatalf("a used code must not sign in again: %d → %q", again.Status, again.Location)
		}
		if p := b.Get(in.URL + again.Location); strings.Contains(p.Body, `id="code"`) {
			t.Fatalf("the code page after a used code must not offer the code field:\n%s", p.Body)
		}
		if p := e2etest.NewBrowser(t).Get(link); !strings.Contains(p.Body, "already accepted") {
			t.Fatalf("the link of a redeemed invitation must say so:\n%s", p.Body)
		}
	})
}

// TestInviteTwiceReusesGuest: inviting an address again keeps its object id.
func TestInviteTwiceReusesGuest(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		body := map[string]any{"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example"}
		var a, b map[string]any
		e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", body, &a)
		body["invitedUserEmailAddress"] = "Teri@GMAIL.example"
		e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", body, &b)
		ida, idb := a["invitedUser"].(map[string]any)["id"], b["invitedUser"].(map[string]any)["id"]
		if ida != idb || a["id"] == b["id"] {
			t.Fatalf("second invitation: user %v vs %v, invitation %v vs %v; want same user, new invitation", ida, idb, a["id"], b["id"])
		}
	})
}

// TestReinviteKeepsMailedLinks (R7, issue 22 item 7): a script that
// re-runs its invitation (sendInvitationMessage false, then true) does not
// void the link already in the guest's inbox: the first mailed link still
// opens the redeem page and redeems; after the redemption every link of
// the address says the invitation was accepted.
func TestReinviteKeepsMailedLinks(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		invite := func(send bool) string {
			t.Helper()
			var inv map[string]any
			if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "teri@gmail.example",
				"inviteRedirectUrl": "https://apps.fabrikam.example/welcome", "sendInvitationMessage": send}, &inv); s != http.StatusCreated {
				t.Fatalf("invite = %d %v", s, inv)
			}
			return inv["inviteRedeemUrl"].(string)
		}
		invite(true)
		first := in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
		link := e2etest.RedeemLink(t, first)
		later := []string{invite(false), invite(true)}
		for i, l := range append([]string{link}, later...) {
			if p := e2etest.NewBrowser(t).Get(l); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
				t.Fatalf("R7: link %d after re-invitations = %d, want the redeem page:\n%s", i, p.Status, p.Body)
			}
		}
		b := e2etest.NewBrowser(t)
		start := b.Get(link)
		sent := b.Submit(in.URL, start, "/redeem/send", nil)
		codePage := b.Get(in.URL + sent.Location)
		code := e2etest.Passcode(t, in.Mail.WaitFor(t, func(m mailtest.Received) bool {
			return mailtest.To("teri@gmail.example")(m) && strings.Contains(m.Text, "code") && !strings.Contains(m.Text, "/redeem?ticket=")
		}))
		done := in.ConsentStep(b, b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": code}), tn)
		if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example/welcome" {
			t.Fatalf("R7: redeeming with the first mailed link = %d → %q:\n%s", done.Status, done.Location, done.Body)
		}
		for i, l := range later {
			if p := e2etest.NewBrowser(t).Get(l); !strings.Contains(p.Body, "already accepted") {
				t.Fatalf("link %d after the redemption must say it was accepted:\n%s", i+1, p.Body)
			}
		}
	})
}

// TestRedeemErrorPages: unknown tickets and wrong codes get clear pages.
func TestRedeemErrorPages(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		b := e2etest.NewBrowser(t)
		if p := b.Get(in.URL + "/redeem?ticket=" + tn.ID + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "link isn") {
			t.Fatalf("unknown ticket = %d:\n%s", p.Status, p.Body)
		}
		var inv map[string]any
		e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "kim@contoso.example", "inviteRedirectUrl": "https://apps.fabrikam.example",
		}, &inv)
		start := b.Get(inv["inviteRedeemUrl"].(string))
		sent := b.Submit(in.URL, start, "/redeem/send", nil)
		codePage := b.Get(in.URL + sent.Location)
		in.Mail.WaitFor(t, mailtest.To("kim@contoso.example"))
		// A wrong code: post/redirect/get to the code page, which says so,
		// ties the error to the field and counts the attempts left.
		wrongPost := b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": "not-a-code"})
		if wrongPost.Status != http.StatusSeeOther || !strings.Contains(wrongPost.Location, "f=wrong") {
			t.Fatalf("wrong code = %d → %q", wrongPost.Status, wrongPost.Location)
		}
		wrong := b.Get(in.URL + wrongPost.Location)
		if wrong.Status != http.StatusOK || !strings.Contains(wrong.Body, "isn&#39;t correct") || !strings.Contains(wrong.Body, "4 more times") ||
			!strings.Contains(wrong.Body, `aria-describedby="code-hint code-error"`) {
			t.Fatalf("wrong code page = %d:\n%s", wrong.Status, wrong.Body)
		}
		// Send again within 60 s: nothing is sent, and the page says how long
		// to wait (never "we sent"), the button disabled until then.
		resendPost := b.Submit(in.URL, codePage, "/redeem/send", nil)
		resend := b.Get(in.URL + resendPost.Location)
		if resendPost.Status != http.StatusSeeOther || strings.Contains(resendPost.Location, "f=sent") ||
			!strings.Contains(resend.Body, "You can send a new code in ") || strings.Contains(resend.Body, "We sent") ||
			!strings.Contains(resend.Body, `id="resend-code" disabled`) {
			t.Fatalf("second send within 60 s = %d → %q:\n%s", resendPost.Status, resendPost.Location, resend.Body)
		}
		forged := b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"csrf": "forged"})
		if forged.Status != http.StatusForbidden {
			t.Fatalf("a form without a valid CSRF token = %d, want 403", forged.Status)
		}
	})
}

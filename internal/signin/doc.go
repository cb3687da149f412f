// Package signin is the one sign-in service: it takes an address at a
// tenant, decides how that person proves who they are (DESIGN section 3,
// through invitation.DecideIdP), runs the identity that applies, and
// finishes every sign-in the same way: a first redemption asks for consent
// (Review permissions) and then redeems, decides again and starts the
// session in one transaction; later sign-ins start the session at once;
// either way an app's OpenID Connect request completes in that
// transaction.
//
// Sign-in methods plug in as Dex's connectors do (method.go,
// registry.go). A Method is one way to prove an address; what it can do
// is an optional capability found by type assertion:
//
//   - CodeMethod mails a code and checks it (the email passcode);
//   - PasswordMethod checks a password typed here (a tenant's members);
//   - RedirectMethod proves the address elsewhere and comes back (a home
//     tenant, the consumers directory, an unmanaged tenant; a partner's
//     SAML, OpenID Connect or Google sign-in).
//
// One Registry maps the decision (a member, or the guest's identity
// provider) to the method; Begin puts it in the Route, and the web and
// console pages render by capability, never by a method's name. Every
// method ends in an Identity that the one finish path (finish.go) turns
// into a session, as Dex's connectors end in a connector.Identity. The
// passcode flow (send, resend, verify, attempts, limits, sign-in log,
// metrics) is written once (codeflow.go); invitation redemption and
// sign-in (the passcode method), self-service sign-up (signup.go) and app
// sign-up (appsignup.go) run it, each with its own step after the proof.
//
// A new method is one file implementing Method and its capabilities, one
// line registering it (Builtin, or Registry.Register before New), and a
// page template if no capability's page fits; a method of its own keeps
// no transaction with its proof and ends in Service.Finish:
//
//	reg := signin.Builtin()
//	reg.Register(directory.IdPMail, func(s *signin.Service) signin.Method { return newMagicLink(s) })
//	svc, err := signin.New(cfg, signin.Deps{..., Methods: reg})
//
// The web package only parses forms and renders results; the rules stay
// here and in the domain packages:
//
//   - passcodes (R2, R3): otp.Service; the code's use commits with the
//     session it starts, or, on a first redemption, before consent;
//   - members' passwords: member.Service (a tenant's own members, and the
//     homeTenant identity of guests from another managed tenant);
//   - the decision (R1, R7–R9, section 3) is made when the address is
//     given and made again inside the transaction that redeems or starts
//     the session, so a policy change in between is seen.
//
// An app that requires assignment (R16, assignment.go) admits only the
// users assigned to it, directly or through a group: the one finish path
// and a live session's single sign-on read the user's access to the app
// once (Deps.Assignments) and refuse with *NotAssignedError (AADSTS50105);
// Allowed asks again wherever the app's grants are used.
//
// State that crosses a browser round trip (the home-tenant hand-off, the
// proof awaiting consent) is sealed with AES-GCM under a key derived from
// the deployment secret and bound to the browser; nothing is written for
// it. Every sign-in and refused attempt is recorded as Graph's signIn
// (log.go): a success inside the transaction that starts the session, a
// refusal with one write of its own. The package imports the domain
// packages, audit (the sign-in record), httpx (the request's client and
// ids) and store; it does no network I/O of its own (federation's
// providers reach partners, never inside a transaction).
package signin

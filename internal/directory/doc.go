// Package directory owns tenants, their domains and their users (members and
// guests), and the pure rules about them: how a guest's userPrincipalName is
// formed, which invited addresses are acceptable (DESIGN section 6) and which
// privacy statement URLs a tenant may show guests (CheckPrivacyURL).
//
// Every look-up is scoped by tenant; a user id alone never finds a user.
// The package does no I/O itself: it declares the Store it needs (store.go)
// and internal/store/sqlstore implements it. It imports no other domain.
package directory

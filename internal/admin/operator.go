package admin

// Operator is every operation of the operator at once, for callers that
// use many (the demo, tests). Commands build only the part they use.
type Operator struct {
	Directory
	Users
	Roles
	Apps
	Invitations
	Policies
	Federations
	Branding
}

package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/server"
)

// appUpdate is what `app update` may change; a flag not given stays.
type appUpdate struct {
	signUp, required        bool
	groupsClaim, idTokenAlg string
}

// appUpdateOps are the operations `app update` uses: assignment settings
// and sign-up (Assignments), and the app's signing algorithm (Apps).
type appUpdateOps struct {
	admin.Assignments
	apps admin.Apps
}

func openAppUpdateOps(b *server.Base) (appUpdateOps, error) {
	as, err := b.Assignments()
	if err != nil {
		return appUpdateOps{}, err
	}
	apps, err := b.Apps()
	if err != nil {
		return appUpdateOps{}, err
	}
	return appUpdateOps{Assignments: as, apps: apps}, nil
}

// newAppUpdateCommand changes an app: whether its sign-in offers
// self-service sign-up (R13), whether only assigned users and groups may
// sign in to it, whether its tokens carry the groups claim (R16), and how
// its ID tokens are signed.
func newAppUpdateCommand(f *configFlags) *cobra.Command {
	var (
		tenant, app string
		u           appUpdate
	)
	cmd := &cobra.Command{
		Use:   "update --tenant T --app A [--sign-up[=false]] [--assignment-required[=false]] [--groups-claim SecurityGroup|None] [--id-token-alg RS256|ES256]",
		Short: "Change an app: self-service sign-up, assignment required, the groups claim, the ID token's signature",
		Long: `--app is the app's id (client_id) or its display name.
--sign-up lets people without an invitation sign up as guests from the app's sign-in.
--assignment-required lets only the users and groups assigned to the app (guestgate app assign)
sign in to it; others are refused with AADSTS50105 (Graph's appRoleAssignmentRequired).
--groups-claim SecurityGroup puts the ids of the security groups a user is in into the app's
tokens (the groups claim; Graph's groupMembershipClaims); None takes it out.
--id-token-alg ES256 signs the app's ID tokens with the deployment's P-256 key (its
id_token_signed_response_alg); RS256, the default, with the RSA key.
Assignment and groups-claim changes are written to the tenant's audit log.`,
		Example: `  guestgate app update --tenant fabrikam.example --app Wiki --assignment-required --groups-claim SecurityGroup
  guestgate app update --tenant fabrikam.example --app 0f1e… --sign-up=false
  guestgate app update --tenant fabrikam.example --app Wiki --id-token-alg ES256`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app == "" {
				return fmt.Errorf("required flag \"app\" not set: give the app's id (client_id) or name, as app list shows them")
			}
			changed := func(n string) bool { return cmd.Flags().Changed(n) }
			if !changed("sign-up") && !changed("assignment-required") && !changed("groups-claim") && !changed("id-token-alg") {
				return errors.New("nothing to change: give --sign-up, --assignment-required, --groups-claim or --id-token-alg")
			}
			if changed("id-token-alg") {
				if err := oidc.CheckIDTokenAlg(u.idTokenAlg); err != nil {
					return err
				}
			}
			return withTenant(cmd, f, tenant, openAppUpdateOps, func(ops appUpdateOps, t directory.Tenant) error {
				a, err := ops.FindApp(cmd.Context(), t, app)
				if err != nil {
					return err
				}
				out, err := applyAppUpdate(cmd, ops, t, a, u)
				if err != nil {
					return fmt.Errorf("app %s: %w", a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					fmt.Fprintf(w, "app %s (%s) in %s:\n", a.DisplayName, a.AppID, t.DisplayName)
					if changed("sign-up") {
						fmt.Fprintf(w, "  self-service sign-up %s\n", onOff(u.signUp))
					}
					if changed("assignment-required") {
						fmt.Fprintf(w, "  assignment required: %s\n", yesNo(u.required))
					}
					if changed("groups-claim") {
						fmt.Fprintf(w, "  groups claim: %s\n", out["groupMembershipClaims"])
					}
					if changed("id-token-alg") {
						fmt.Fprintf(w, "  ID tokens signed %s\n", u.idTokenAlg)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&app, "app", "", "the app's id (client_id) or display name (required)")
	appIDAlias(cmd, &app)
	cmd.Flags().BoolVar(&u.signUp, "sign-up", false, "offer self-service sign-up to people without an invitation")
	cmd.Flags().BoolVar(&u.required, "assignment-required", false, "only users and groups assigned to the app may sign in to it")
	cmd.Flags().StringVar(&u.groupsClaim, "groups-claim", "", "SecurityGroup: tokens list the user's security groups; None: they do not")
	addIDTokenAlgFlag(cmd, &u.idTokenAlg)
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// applyAppUpdate makes the changes whose flags were given and returns
// what `--output json` prints.
func applyAppUpdate(cmd *cobra.Command, ops appUpdateOps, t directory.Tenant, a assignment.App, u appUpdate) (map[string]any, error) {
	ctx := cmd.Context()
	out := map[string]any{"appId": a.AppID, "tenantId": t.ID}
	if cmd.Flags().Changed("groups-claim") {
		if u.groupsClaim != assignment.ClaimsSecurityGroup && u.groupsClaim != assignment.ClaimsNone {
			return nil, fmt.Errorf("--groups-claim %q: want SecurityGroup or None", u.groupsClaim)
		}
		got, err := ops.SetGroupClaims(ctx, t, a.AppID, u.groupsClaim)
		if err != nil {
			return nil, err
		}
		out["groupMembershipClaims"] = got.GroupMembershipClaims
	}
	if cmd.Flags().Changed("assignment-required") {
		got, err := ops.SetAssignmentRequired(ctx, t, a.AppID, u.required)
		if err != nil {
			return nil, err
		}
		out["appRoleAssignmentRequired"] = got.AssignmentRequired
	}
	if cmd.Flags().Changed("sign-up") {
		if err := ops.SetAppSignUp(ctx, t.ID, a.AppID, u.signUp); err != nil {
			return nil, err
		}
		out["signUp"] = u.signUp
	}
	if cmd.Flags().Changed("id-token-alg") {
		if err := ops.apps.SetAppIDTokenAlg(ctx, t.ID, a.AppID, u.idTokenAlg); err != nil {
			return nil, err
		}
		out["idTokenSignedResponseAlg"] = u.idTokenAlg
	}
	return out, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

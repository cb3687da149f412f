package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/server"
)

func newUserCreateCommand(f *configFlags) *cobra.Command {
	var (
		tenant   string
		isMember bool
		disabled bool
		req      member.NewMember
	)
	cmd := &cobra.Command{
		Use:   "create --tenant T --member --email E --display-name N",
		Short: "Create a member who signs in with a password",
		Long: `Create a member of the tenant (userType Member): a user whose home is this tenant and who
signs in with a password. --email is the member's userPrincipalName and sign-in address; its
domain must be one of the tenant's verified domains. Guests are not created here: invite them
with "guestgate invite".

The password is never a flag (flags end up in shell history and process lists). On a terminal it
is asked twice without echo; otherwise the first line of standard input is the password:

  printf '%s\n' "$PASSWORD" | guestgate user create --tenant fabrikam.example --member ...

A password has 12 to 256 characters, is not a commonly used password, and does not contain the
address's user name. The creation is written to the tenant's audit log.`,
		Example: "  guestgate user create --tenant fabrikam.example --member --email kim@fabrikam.example --display-name \"Kim Akers\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !isMember {
				return errors.New("--member is required: this command creates members; guests are invited with \"guestgate invite\"")
			}
			password, err := readPassword(cmd)
			if err != nil {
				return err
			}
			req.Password, req.AccountEnabled = password, !disabled
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				u, err := ops.CreateMember(cmd.Context(), t, req)
				if err != nil {
					return fmt.Errorf("create member %s: %w", req.UserPrincipalName, err)
				}
				return printUser(cmd, t, u, "created member")
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().BoolVar(&isMember, "member", false, "create a member (userType Member) with a password (required)")
	cmd.Flags().StringVar(&req.UserPrincipalName, "email", "", "the member's address and userPrincipalName, in a verified domain (required)")
	cmd.Flags().StringVar(&req.DisplayName, "display-name", "", "the member's name (required)")
	cmd.Flags().BoolVar(&disabled, "disabled", false, "create the account disabled (accountEnabled false)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("display-name")
	addOutputFlag(cmd)
	return cmd
}

// newUserEnableCommand is "user enable" (enable true) or "user disable".
func newUserEnableCommand(f *configFlags, enable bool) *cobra.Command {
	var tenant, userID string
	verb, short := "disable", "Disable a user's account: it can no longer sign in, and its sessions end"
	if enable {
		verb, short = "enable", "Enable a user's account again"
	}
	cmd := &cobra.Command{
		Use:     verb + " --tenant T --user ID",
		Short:   short,
		Long:    short + " (Graph's accountEnabled). The change is written to the tenant's audit log.",
		Example: "  guestgate user " + verb + " --tenant fabrikam.example --user 0b6f…",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				if err := ops.SetAccountEnabled(cmd.Context(), t, userID, enable); err != nil {
					return fmt.Errorf("%s user %s: %w", verb, userID, err)
				}
				u, err := ops.GetUser(cmd.Context(), t, userID)
				if err != nil {
					return fmt.Errorf("%s user %s: %w", verb, userID, err)
				}
				return printUser(cmd, t, u, verb+"d")
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&userID, "user", "", "the user's object id (required)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("user")
	addOutputFlag(cmd)
	return cmd
}

// printUser prints u as the Graph user object, or a line for people.
func printUser(cmd *cobra.Command, t directory.Tenant, u directory.User, did string) error {
	format, _ := cmd.Flags().GetString("output")
	return printResult(cmd.OutOrStdout(), format, graph.UserJSON(u, t.InitialDomain), func(w io.Writer) {
		fmt.Fprintf(w, "%s %s (%s) in %s\n  userType:       %s\n  accountEnabled: %t\n",
			did, u.UserPrincipalName, u.ID, t.DisplayName, u.UserType, u.AccountEnabled)
	})
}

// maxPasswordLine bounds the line read as a password from standard input.
const maxPasswordLine = 4096

// readPassword asks for the password twice without echo when standard
// input is a terminal, and otherwise reads its first line.
func readPassword(cmd *cobra.Command) (string, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(cmd.ErrOrStderr(), int(f.Fd()))
	}
	r := bufio.NewReaderSize(in, maxPasswordLine)
	line, err := r.ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", fmt.Errorf("the password line on standard input is longer than %d bytes", maxPasswordLine)
		}
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if password == "" {
		return "", errors.New("no password: give it on the first line of standard input, or run on a terminal to be asked")
	}
	return password, nil
}

func promptPassword(prompt io.Writer, fd int) (string, error) {
	ask := func(label string) (string, error) {
		fmt.Fprint(prompt, label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	first, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	second, err := ask("Password again: ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", errors.New("the two passwords differ")
	}
	if first == "" {
		return "", errors.New("no password given")
	}
	return first, nil
}

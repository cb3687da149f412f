package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commonFlags are the deployment settings every command's help lists: where
// the database is, how guestgate is reached, the secret, mail and logging.
// The other settings tune the server (limits, throttles, timeouts, the
// listeners); only serve and demo list them, though every command accepts
// them, so one environment file serves every command.
var commonFlags = map[string]bool{
	"database-url": true, "database-url-file": true, "public-url": true, "secret-file": true,
	"smtp-url": true, "smtp-url-file": true, "mail-from": true, "deployment-name": true,
	"domain-suffix": true, "log-level": true,
}

// serverCommands are the commands whose help lists the tuning flags.
var serverCommands = map[string]bool{"serve": true, "demo": true}

// tuningHelp wraps the default help so that a command other than serve and
// demo hides the tuning flags while its help is printed.
func tuningHelp(root *cobra.Command) {
	def := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if !serverCommands[c.Name()] || c.Parent() != root {
			var hidden []*pflag.Flag
			root.PersistentFlags().VisitAll(func(fl *pflag.Flag) {
				if !commonFlags[fl.Name] && !fl.Hidden {
					fl.Hidden = true
					hidden = append(hidden, fl)
				}
			})
			defer func() {
				for _, fl := range hidden {
					fl.Hidden = false
				}
			}()
		}
		def(c, args)
	})
}

// Command teamcerts makes the small CA of a lab team for the screenshots and for trying team
// mode by hand: in DIR it writes ca.crt and ca.key (the team CA), server.crt and server.key
// (an etcd member reached as 127.0.0.1 or localhost) and root.crt and root.key (etcd's root
// user, for 'epicevents team create'). Collaborators' identities then come from
// 'epicevents team identity'. Keys are written with mode 0600.
//
//	go run ./tests/teamcerts /tmp/team-pki
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/epicevents/crm/replica/pki"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: teamcerts DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "teamcerts:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := pki.NewCA("Epic Events lab CA")
	if err != nil {
		return err
	}
	server, err := ca.IssueServer("etcd lab member", []string{"127.0.0.1", "localhost"})
	if err != nil {
		return err
	}
	root, err := ca.IssueClient("root")
	if err != nil {
		return err
	}
	for name, c := range map[string]*pki.Cert{"ca": &ca.Cert, "server": server, "root": root} {
		if err := c.Save(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")); err != nil {
			return err
		}
	}
	return nil
}

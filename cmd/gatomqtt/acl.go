package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// parseACL reads an access list in the form of mosquitto's acl_file:
//
//	# anonymous clients (before any user line)
//	topic read public/#
//	user alice
//	topic readwrite sensors/alice/#
//	topic write alerts
//
// A topic line grants read, write or readwrite (the default when the
// access is left out) on a topic filter, which may contain spaces when
// the access is given. Lines before the first user line grant clients
// that connect when no users are configured. What no line grants is
// denied. Mosquitto's deny access and pattern lines are refused, as the
// broker's ACL only grants and has no substitutions.
func parseACL(r io.Reader) (broker.ACL, error) {
	var acl broker.ACL
	user := ""
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keyword, rest := cutSpace(line)
		switch keyword {
		case "user":
			if rest == "" {
				return nil, fmt.Errorf("line %d: user without a name", n)
			}
			user = rest
		case "topic":
			g, err := parseGrant(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			g.User = user
			acl = append(acl, g)
		case "pattern":
			return nil, fmt.Errorf("line %d: pattern lines are not supported; grant each user with topic lines", n)
		default:
			return nil, fmt.Errorf("line %d: unknown keyword %q, want user or topic", n, keyword)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(acl) == 0 {
		return nil, errors.New("no topic lines (an empty ACL would deny every topic; omit -acl to allow all)")
	}
	return acl, nil
}

// accesses are the access words of a topic line.
var accesses = map[string]broker.Access{"read": broker.Read, "write": broker.Write, "readwrite": broker.ReadWrite}

// parseGrant reads what follows "topic": [access] filter.
func parseGrant(s string) (broker.Grant, error) {
	g := broker.Grant{Access: broker.ReadWrite, Filter: s}
	word, filter := cutSpace(s)
	if word == "deny" {
		return g, errors.New("deny is not supported: the ACL only grants, so leave the topic out of every grant")
	}
	if a, ok := accesses[word]; ok {
		g.Access, g.Filter = a, filter
	}
	if g.Filter == "" {
		return g, errors.New("topic line without a topic filter")
	}
	if err := packet.ValidTopicFilter([]byte(g.Filter)); err != nil {
		return g, fmt.Errorf("topic filter %q: %w", g.Filter, err)
	}
	return g, nil
}

// cutSpace splits s at its first run of spaces or tabs.
func cutSpace(s string) (word, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// checkACLUsers checks that every user the ACL names is in users, and
// that an ACL naming users comes with them: without users every client
// is anonymous and a user section would never apply.
func checkACLUsers(acl broker.ACL, users []broker.User) error {
	known := map[string]bool{}
	for _, u := range users {
		known[u.Name] = true
	}
	for _, g := range acl {
		switch {
		case g.User == "":
		case len(users) == 0:
			return fmt.Errorf("user %q: user sections need -users (without it every client is anonymous)", g.User)
		case !known[g.User]:
			return fmt.Errorf("user %q is not in the users file", g.User)
		}
	}
	return nil
}

// readACL reads and checks the ACL file at path for users.
func readACL(path string, users []broker.User) (broker.ACL, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("acl file: %w", err)
	}
	defer f.Close()
	acl, err := parseACL(f)
	if err == nil {
		err = checkACLUsers(acl, users)
	}
	if err != nil {
		return nil, fmt.Errorf("acl file %s: %w", path, err)
	}
	return acl, nil
}

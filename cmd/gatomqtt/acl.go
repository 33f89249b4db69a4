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
//	topic deny sensors/alice/keys
//	topic write alerts
//	# every client, whatever the user section
//	pattern readwrite devices/%c/#
//	pattern deny devices/%c/firmware
//
// A topic line grants read, write or readwrite (the default when the
// access is left out) on a topic filter, which may contain spaces when
// the access is given, or with deny takes reading and writing it away.
// Lines before the first user line apply to clients that connect when no
// users are configured, those after it to that user. A pattern line
// applies to every client wherever it stands, with a level that is
// exactly %c standing for the client identifier and one that is exactly
// %u for the user name. As in mosquitto, a client's topic lines decide
// first (a deny among them over their grants), then the patterns (a deny
// pattern over grant patterns); what neither grants is denied. The
// meaning of the lines is broker.ACL's.
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
		case "topic", "pattern":
			g, err := parseGrant(rest, keyword == "pattern")
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", n, keyword, err)
			}
			if !g.Pattern {
				g.User = user
			}
			acl = append(acl, g)
		default:
			return nil, fmt.Errorf("line %d: unknown keyword %q, want user, topic or pattern", n, keyword)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if len(acl) == 0 {
		return nil, errors.New("no topic or pattern lines (an empty ACL would deny every topic; omit -acl to allow all)")
	}
	return acl, nil
}

// accesses are the access words of topic and pattern lines.
var accesses = map[string]broker.Access{
	"read":      broker.Read,
	"write":     broker.Write,
	"readwrite": broker.ReadWrite,
	"deny":      broker.Deny,
}

// parseGrant reads what follows "topic" or "pattern": [access] filter.
func parseGrant(s string, pattern bool) (broker.Grant, error) {
	g := broker.Grant{Access: broker.ReadWrite, Filter: s, Pattern: pattern}
	word, filter := cutSpace(s)
	if a, ok := accesses[word]; ok {
		g.Access, g.Filter = a, filter
	}
	if g.Filter == "" {
		return g, errors.New("no topic filter")
	}
	if err := packet.ValidTopicFilter([]byte(g.Filter)); err != nil {
		return g, fmt.Errorf("topic filter %q: %w", g.Filter, err)
	}
	if pattern {
		if err := checkSubstitutions(g.Filter); err != nil {
			return g, fmt.Errorf("topic filter %q: %w", g.Filter, err)
		}
	}
	return g, nil
}

// checkSubstitutions refuses a pattern filter with %c or %u inside a
// level rather than as the whole of it, which mosquitto requires and
// broker.ACL would take literally.
func checkSubstitutions(filter string) error {
	for level := range strings.SplitSeq(filter, "/") {
		if level != "%c" && level != "%u" && (strings.Contains(level, "%c") || strings.Contains(level, "%u")) {
			return fmt.Errorf("level %q: %%c and %%u must be the whole level", level)
		}
	}
	return nil
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

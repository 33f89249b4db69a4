package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gatomqtt/gatomqtt/broker"
)

// parseUsers reads a users file: one name:password per line; blank lines
// and lines starting with # are ignored. The password is everything after
// the first colon, so it may contain colons; names may not.
func parseUsers(r io.Reader) ([]broker.User, error) {
	var users []broker.User
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, password, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			return nil, fmt.Errorf("line %d: want name:password", n)
		case name == "":
			return nil, fmt.Errorf("line %d: empty user name", n)
		case password == "":
			return nil, fmt.Errorf("line %d: user %q has an empty password", n, name)
		}
		if first, dup := seen[name]; dup {
			return nil, fmt.Errorf("line %d: user %q already given on line %d", n, name, first)
		}
		seen[name] = n
		users = append(users, broker.User{Name: name, Password: password})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, errors.New("no users in file (omit -users to allow anonymous clients)")
	}
	return users, nil
}

package broker

import (
	"strings"
	"testing"
)

func TestCovers(t *testing.T) {
	tests := []struct {
		filter, sub string
		want        bool
	}{
		// Topic names: covers is match.
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"#", "$SYS/x", false},
		{"+/x", "$g/x", false},
		{"$SYS/#", "$SYS/x", true},
		// Filters: every topic sub matches must match filter.
		{"a/#", "a/#", true},
		{"a/#", "a/+", true},
		{"a/#", "a/+/c/#", true},
		{"#", "#", true},
		{"#", "+/+", true},
		{"#", "$SYS/#", false},
		{"+/#", "$SYS/+", false},
		{"$SYS/#", "$SYS/#", true},
		{"a/+", "a/+", true},
		{"a/+", "a/#", false}, // "a/#" matches "a" and "a/b/c"
		{"a/+/c", "a/+/c", true},
		{"a/+/c", "a/b/+", false},
		{"a/b", "a/+", false},
		{"a/b", "+/b", false},
		{"a/b", "#", false},
		{"a", "a/#", false}, // "a/#" matches "a/b"
		{"a/b/#", "a/#", false},
		{"+", "+", true},
		{"+", "#", false},
		{"a//b", "a/+/b", false}, // '+' also matches non-empty levels
		{"a/+/b", "a//b", true},
		{"gatodenied/#", "gatodenied/r/1/x", true},
		{"gatodenied/#", "gatodeniedx/r", false},
		{"", "a", false},
		{"a", "", false},
	}
	for _, tt := range tests {
		if got := covers(tt.filter, []byte(tt.sub)); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.filter, tt.sub, got, tt.want)
		}
	}
}

// refMatch is section 4.7 read level by level, written apart from
// covers to check it.
func refMatch(filter, name string) bool {
	if name[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	fl, nl := strings.Split(filter, "/"), strings.Split(name, "/")
	for i, l := range fl {
		switch {
		case l == "#":
			return true // this level and all below, or none (the parent)
		case i == len(nl):
			return false
		case l != "+" && l != nl[i]:
			return false
		}
	}
	return len(fl) == len(nl)
}

// TestCoversIsMatchForTopicNames checks covers, which both routing and
// ACLs use, against refMatch for every pair of filters and wildcard-free
// names built from a few levels.
func TestCoversIsMatchForTopicNames(t *testing.T) {
	levels := []string{"a", "b", "", "$s", "+", "#"}
	var filters, names []string
	var build func(prefix []string, depth int)
	build = func(prefix []string, depth int) {
		if s := strings.Join(prefix, "/"); s != "" { // names and filters are never empty
			if i := strings.Index(s, "#"); i < 0 || i == len(s)-1 {
				filters = append(filters, s)
				if !strings.ContainsAny(s, "+#") {
					names = append(names, s)
				}
			}
		}
		if depth == 0 {
			return
		}
		for _, l := range levels {
			if l == "$s" && len(prefix) > 0 {
				continue
			}
			build(append(prefix[:len(prefix):len(prefix)], l), depth-1)
		}
	}
	build(nil, 3)
	for _, f := range filters {
		for _, n := range names {
			if got, want := covers(f, []byte(n)), refMatch(f, n); got != want {
				t.Errorf("covers(%q, %q) = %v, want %v", f, n, got, want)
			}
		}
	}
	// A filter covers another exactly when it matches every name the
	// other matches, over this set of names (a check of the wildcard
	// cases, not a proof).
	for _, f := range filters {
		for _, s := range filters {
			if !covers(f, []byte(s)) {
				continue
			}
			for _, n := range names {
				if refMatch(s, n) && !refMatch(f, n) {
					t.Errorf("covers(%q, %q), but %q matches %q and not %q", f, s, s, n, f)
				}
			}
		}
	}
}

// TestACLAllows checks patterns, denies and user sections against the
// client identifier and user name they are checked for.
func TestACLAllows(t *testing.T) {
	acl := ACL{
		{Filter: "pub/#", Access: ReadWrite},              // anonymous
		{User: "alice", Filter: "#", Access: Read},        // alice reads all...
		{User: "alice", Filter: "secret/#", Access: Deny}, // ...but secret
		{User: "alice", Filter: "open/#", Access: ReadWrite},
		{User: "alice", Filter: "open/locked", Access: Deny},
		{Pattern: true, Filter: "c/%c/#", Access: ReadWrite},
		{Pattern: true, Filter: "u/%u/in", Access: Write},
		{Pattern: true, Filter: "c/%c/private", Access: Deny},
		{Pattern: true, Filter: "home/%u/%c", Access: Read},
		{Pattern: true, Filter: "secret/%u", Access: ReadWrite},
	}
	tests := []struct {
		user, id, topic string
		need            Access
		want            bool
	}{
		{"", "x", "pub/a", Write, true},
		{"", "x", "pub/#", Read, true},
		{"", "x", "#", Read, false},
		{"alice", "x", "pub/a", Write, false}, // anonymous lines are not alice's
		{"alice", "x", "#", Read, true},       // the Deny covers only part of "#"
		{"alice", "x", "any/thing", Read, true},
		{"alice", "x", "secret/x", Read, false},
		{"alice", "x", "secret/#", Read, false}, // wholly denied
		{"alice", "x", "secret/+/y", Read, false},
		{"alice", "x", "secret", Read, false},
		{"alice", "x", "secretx", Read, true},
		{"alice", "x", "open/a", Write, true},
		{"alice", "x", "open/locked", Write, false}, // deny takes writing too
		{"alice", "x", "open/locked", Read, false},
		{"alice", "x", "open/#", Read, true},
		{"bob", "x", "any", Read, false},
		// %c: the client's own subtree, in place.
		{"", "dev1", "c/dev1/t", Write, true},
		{"", "dev1", "c/dev1", Read, true},
		{"", "dev1", "c/dev1/#", Read, true},
		{"", "dev1", "c/dev2/t", Write, false},
		{"", "dev1", "c/dev12/t", Write, false},
		{"", "dev12", "c/dev1/t", Write, false},
		{"", "dev1", "c/+/t", Read, false},
		{"", "dev1", "c/#", Read, false},
		{"", "dev1", "c/dev1/private", Read, false},
		{"", "dev1", "c/dev1/private", Write, false},
		{"bob", "dev1", "c/dev1/t", Read, true}, // patterns apply to every user
		// %u: only with a user name.
		{"bob", "x", "u/bob/in", Write, true},
		{"bob", "x", "u/bob/in", Read, false},
		{"bob", "x", "u/alice/in", Write, false},
		{"", "x", "u//in", Write, false},
		{"bob", "k", "home/bob/k", Read, true},
		{"bob", "k", "home/bob/j", Read, false},
		{"bob", "k", "home/k/bob", Read, false},
		// Names that are not one literal level grant nothing and, in a
		// deny pattern, deny everything.
		{"", "a/b", "c/a/b/t", Write, false},
		{"", "+", "c/+/t", Write, false},
		{"", "#", "c/#", Read, false},
		{"b/in", "x", "u/b/in/in", Write, false},
		{"bob", "a/b", "home/bob/a/b", Read, false},
		// The user's grants and denies decide before the patterns.
		{"alice", "a/b", "any", Read, true},
		{"alice", "dev1", "c/dev1/private", Read, true}, // her "#" beats the pattern Deny
		{"alice", "dev1", "c/dev1/private", Write, false},
		{"alice", "x", "secret/alice", Write, false}, // her Deny beats the pattern grant
		{"bob", "x", "secret/bob", Write, true},
		{"bob", "x", "secret/alice", Write, false},
	}
	for _, tt := range tests {
		r := requester{clientID: []byte(tt.id), hasID: true}
		if tt.user != "" {
			r.user = []byte(tt.user)
		}
		if got := acl.allows(r, []byte(tt.topic), tt.need); got != tt.want {
			t.Errorf("user %q client %q %q need %d: allowed %v, want %v", tt.user, tt.id, tt.topic, tt.need, got, tt.want)
		}
	}
	// Without a client identifier (ACL.Authorize), %c patterns do not
	// apply: they neither grant nor deny.
	if acl.Authorize(nil, []byte("c/dev1/t"), true) {
		t.Error("Authorize applied a pattern of the client identifier")
	}
}

func TestCheckGrant(t *testing.T) {
	users := []User{{Name: "alice"}}
	tests := []struct {
		g    Grant
		want string // "" for valid, else part of the error
	}{
		{Grant{Filter: "a/#", Access: Read}, ""},
		{Grant{User: "alice", Filter: "a", Access: Deny}, ""},
		{Grant{Pattern: true, Filter: "a/%c/%u", Access: ReadWrite}, ""},
		{Grant{Filter: "a", Access: 0}, "access 0"},
		{Grant{Filter: "a", Access: Read | Deny}, "access 5"},
		{Grant{Filter: "a/#/b", Access: Read}, "wildcard"},
		{Grant{Filter: strings.Repeat("a", 9), Access: Read}, "longer than MaxTopicLength"},
		{Grant{User: "bob", Filter: "a", Access: Read}, `"bob" is not in Config.Users`},
		{Grant{User: "alice", Pattern: true, Filter: "a", Access: Read}, "names none"},
	}
	for _, tt := range tests {
		err := checkGrant(tt.g, users, 8)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.g, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: error %v, want one mentioning %q", tt.g, err, tt.want)
		}
	}
}

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

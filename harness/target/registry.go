package target

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// A ParseFunc makes a Target from a parsed target string. It should check
// everything it can without side effects (options, board names) so that a
// mistyped target fails before anything starts.
type ParseFunc func(u *url.URL) (Target, error)

var registry struct {
	sync.Mutex
	schemes map[string]ParseFunc
}

// Register makes targets of the given scheme available to Parse. Target
// kinds in other packages (emulated boards, serial ports) register from
// their init functions. Register panics when the scheme is taken, as
// database/sql.Register does, because that is a programming error.
func Register(scheme string, parse ParseFunc) {
	registry.Lock()
	defer registry.Unlock()
	if registry.schemes == nil {
		registry.schemes = make(map[string]ParseFunc)
	}
	if _, dup := registry.schemes[scheme]; dup {
		panic("target: Register called twice for scheme " + scheme)
	}
	registry.schemes[scheme] = parse
}

// Schemes lists the registered target schemes, sorted.
func Schemes() []string {
	registry.Lock()
	defer registry.Unlock()
	s := make([]string, 0, len(registry.schemes))
	for k := range registry.schemes {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Parse makes the Target named by s. The scheme is the text before the
// first colon ("inproc", "tcp", ...); a string without a colon is a scheme
// on its own, so "inproc" and "inproc:" are the same target.
func Parse(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultTarget
	}
	// "inproc?opt=v" names the scheme inproc with options, like "inproc:?opt=v".
	if i := strings.IndexAny(s, ":?"); i >= 0 && s[i] == '?' {
		s = s[:i] + ":" + s[i:]
	}
	scheme, _, _ := strings.Cut(s, ":")
	registry.Lock()
	parse := registry.schemes[scheme]
	registry.Unlock()
	if parse == nil {
		return nil, fmt.Errorf("%w %q: scheme %q is not one of %s",
			ErrUnknownTarget, s, scheme, strings.Join(Schemes(), ", "))
	}
	if !strings.Contains(s, ":") {
		s += ":"
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", s, err)
	}
	t, err := parse(u)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", Redact(u), err)
	}
	return t, nil
}

// DefaultTarget is the target used when neither --target nor
// GATOMQTT_TARGET names one.
const DefaultTarget = "inproc"

// Redact returns u as a string with secret query values replaced, so that
// target names can appear in reports and logs.
func Redact(u *url.URL) string {
	c := *u
	q := c.Query()
	changed := false
	for _, k := range []string{"password", "psk_key", "key"} {
		if q.Has(k) {
			q.Set(k, "xxx")
			changed = true
		}
	}
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), "xxx")
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	return c.String()
}

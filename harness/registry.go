package harness

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
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
		panic("harness: Register called twice for scheme " + scheme)
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
		return nil, fmt.Errorf("harness: target %q: %w", s, err)
	}
	t, err := parse(u)
	if err != nil {
		return nil, fmt.Errorf("harness: target %q: %w", redact(u), err)
	}
	return t, nil
}

// DefaultTarget is the target used when neither --target nor
// GATOMQTT_TARGET names one.
const DefaultTarget = "inproc"

// redact returns u as a string with secret query values replaced, so that
// target names can appear in reports and logs.
func redact(u *url.URL) string {
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

// options reads a target's query parameters, remembering which were used
// so that a misspelt option is reported instead of ignored.
type options struct {
	q    url.Values
	used map[string]bool
	errs []string
}

func newOptions(u *url.URL) *options {
	return &options{q: u.Query(), used: map[string]bool{}}
}

func (o *options) str(key, def string) string {
	o.used[key] = true
	if !o.q.Has(key) {
		return def
	}
	return o.q.Get(key)
}

func (o *options) has(key string) bool {
	o.used[key] = true
	return o.q.Has(key)
}

func (o *options) int(key string, def int) int {
	v := o.str(key, "")
	if v == "" {
		return def
	}
	if v == "unlimited" {
		return Unlimited
	}
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != v {
		o.errs = append(o.errs, fmt.Sprintf("option %s=%q is not a non-negative integer", key, v))
		return def
	}
	return n
}

func (o *options) bool(key string, def bool) bool {
	switch v := o.str(key, ""); v {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	default:
		o.errs = append(o.errs, fmt.Sprintf("option %s=%q is not a boolean", key, v))
		return def
	}
}

func (o *options) duration(key string) time.Duration {
	v := o.str(key, "")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		o.errs = append(o.errs, fmt.Sprintf("option %s=%q is not a duration like 10s", key, v))
		return 0
	}
	return d
}

// err reports bad values and options nobody asked for.
func (o *options) err() error {
	var unknown []string
	for k := range o.q {
		if !o.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	msgs := o.errs
	if len(unknown) > 0 {
		known := make([]string, 0, len(o.used))
		for k := range o.used {
			known = append(known, k)
		}
		sort.Strings(known)
		msgs = append(msgs, fmt.Sprintf("unknown option(s) %s (known: %s)",
			strings.Join(unknown, ", "), strings.Join(known, ", ")))
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

package target

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Options reads a target's query parameters, remembering which were used
// so that a misspelt option is reported instead of ignored. Every target
// kind reads its options through one, so they all spell values the same
// way ("unlimited", "true"/"no", "10s") and refuse unknown ones alike:
//
//	o := target.NewOptions(u)
//	anonymous := o.Bool("anonymous", false)
//	if err := o.Err(); err != nil { ... }
type Options struct {
	q    url.Values
	used map[string]bool
	errs []string
}

// NewOptions reads the query of u.
func NewOptions(u *url.URL) *Options {
	return &Options{q: u.Query(), used: map[string]bool{}}
}

// String returns the value of key, or def when it is absent.
func (o *Options) String(key, def string) string {
	o.used[key] = true
	if !o.q.Has(key) {
		return def
	}
	return o.q.Get(key)
}

// Has reports whether key is given.
func (o *Options) Has(key string) bool {
	o.used[key] = true
	return o.q.Has(key)
}

// Int returns key as a non-negative integer ("unlimited" is Unlimited),
// or def when it is absent.
func (o *Options) Int(key string, def int) int {
	v := o.String(key, "")
	if v == "" {
		return def
	}
	if v == "unlimited" {
		return Unlimited
	}
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != v {
		o.Errorf("option %s=%q is not a non-negative integer", key, v)
		return def
	}
	return n
}

// Bool returns key as a boolean (1, true, yes, on or 0, false, no, off),
// or def when it is absent.
func (o *Options) Bool(key string, def bool) bool {
	switch v := o.String(key, ""); v {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	default:
		o.Errorf("option %s=%q is not a boolean", key, v)
		return def
	}
}

// Duration returns key as a duration such as 10s, or 0 when it is absent.
func (o *Options) Duration(key string) time.Duration {
	v := o.String(key, "")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		o.Errorf("option %s=%q is not a duration like 10s", key, v)
		return 0
	}
	return d
}

// Errorf records a bad option value, reported by Err with the others.
func (o *Options) Errorf(format string, args ...any) {
	o.errs = append(o.errs, fmt.Sprintf(format, args...))
}

// Err reports bad values and options nobody asked for.
func (o *Options) Err() error {
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

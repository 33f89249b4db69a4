package target

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Needs is what a spec requires of a target. The zero value needs nothing.
type Needs struct {
	Sessions           int  // clients connected at once
	Subscriptions      int  // topic filters in one session
	Inflight           int  // unacknowledged outgoing messages per session
	Queued             int  // messages queued for one offline session
	Retained           int  // retained messages held at once
	PacketSize         int  // bytes in one packet
	TopicLength        int  // bytes in one topic name or filter
	PayloadSize        int  // bytes in one payload
	Burst              int  // PUBLISH packets sent back to back by one session
	QoS                byte // highest QoS used (2 implies QoS 2 delivery)
	PersistentSessions bool
	Retain             bool
	Wills              bool
	// Auth needs known credentials and a target that refuses a wrong
	// password, so that authentication outcomes can be asserted.
	Auth bool
	// Anonymous needs a target that accepts clients without a username.
	Anonymous bool
	// NoAnonymous needs a target that refuses clients without a username.
	NoAnonymous bool
	MemoryStats bool
	PSK         bool // a TLS-PSK endpoint
	// DeniedTopic needs a topic prefix the harness's clients may subscribe
	// to but not publish to (see DeniedTopic).
	DeniedTopic bool
	// ConnectTimeout needs a target that declares how long it waits for
	// the first packet, at most this long (so a spec can wait it out).
	ConnectTimeout time.Duration
}

// Missing lists, in words fit for a skip message, everything n needs that
// c does not offer. An empty result means the spec can run.
func (c Capabilities) Missing(n Needs, e Endpoints) []string {
	var m []string
	limit := func(what string, need, have int) {
		if need > 0 && have > 0 && need > have {
			m = append(m, fmt.Sprintf("needs %d %s, target allows %d", need, what, have))
		}
	}
	l := c.Limits
	limit("sessions", n.Sessions, l.Sessions)
	limit("subscriptions per session", n.Subscriptions, l.Subscriptions)
	limit("in-flight messages per session", n.Inflight, l.Inflight)
	limit("queued messages per session", n.Queued, l.Queued)
	limit("retained messages", n.Retained, l.Retained)
	limit("bytes per packet", n.PacketSize, l.PacketSize)
	limit("bytes per topic", n.TopicLength, l.TopicLength)
	limit("bytes per payload", n.PayloadSize, l.PayloadSize)
	limit("PUBLISH packets in a burst", n.Burst, l.Burst)
	if n.QoS > c.MaxQoS {
		m = append(m, fmt.Sprintf("needs QoS %d, target supports up to QoS %d", n.QoS, c.MaxQoS))
	}
	flag := func(need, have bool, what string) {
		if need && !have {
			m = append(m, "needs "+what)
		}
	}
	flag(n.PersistentSessions, c.PersistentSessions, "persistent sessions")
	flag(n.Retain, c.Retain, "retained messages")
	flag(n.Wills, c.Wills, "will messages")
	flag(n.Auth, c.Credentials != nil, "known credentials (tcp targets: ?username=&password=)")
	flag(n.Auth, c.RejectsBadPassword, "a target that refuses wrong passwords")
	flag(n.Anonymous, c.Anonymous, "a target that accepts anonymous clients")
	flag(n.NoAnonymous, !c.Anonymous, "a target that refuses anonymous clients")
	flag(n.MemoryStats, c.MemoryStats, "memory statistics")
	flag(n.PSK, e.PSK != nil, "a TLS-PSK endpoint")
	flag(n.DeniedTopic, c.DeniedTopic != "", "a topic prefix clients may not publish to (tcp targets: ?denied=prefix)")
	switch {
	case n.ConnectTimeout > 0 && c.ConnectTimeout == 0:
		m = append(m, "needs a declared connect timeout")
	case n.ConnectTimeout > 0 && c.ConnectTimeout > n.ConnectTimeout:
		m = append(m, fmt.Sprintf("needs a connect timeout of at most %s, target waits %s", n.ConnectTimeout, c.ConnectTimeout))
	}
	return m
}

// Deviations maps statement IDs to the reason a target departs from them.
type Deviations map[string]string

// Reason returns why the target deviates from statement id, if it does.
func (d Deviations) Reason(id string) (string, bool) {
	r, ok := d[id]
	return r, ok
}

// SkipReason is the skip message for a spec needing n on t, or "" when t
// has everything.
func SkipReason(t Target, n Needs) string {
	m := t.Capabilities().Missing(n, t.Endpoints())
	if len(m) == 0 {
		return ""
	}
	return fmt.Sprintf("target %s: %s", t.Name(), strings.Join(m, "; "))
}

// DeviationReason is the skip message for a spec with labels on t, or
// "" when t declares no deviation from any statement among them. Labels
// that are not statement IDs scope deviations: t's "MQTT-3.1.2-8@x"
// applies to a spec labelled both MQTT-3.1.2-8 and x.
func DeviationReason(t Target, labels []string) string {
	caps := t.Capabilities()
	var parts []string
	for _, id := range labels {
		if !statementLabel.MatchString(id) {
			continue
		}
		if r, ok := caps.Deviations.Reason(id); ok {
			parts = append(parts, id+": "+r)
		}
		for _, scope := range labels {
			if statementLabel.MatchString(scope) {
				continue
			}
			if r, ok := caps.Deviations.Reason(id + "@" + scope); ok {
				parts = append(parts, id+"@"+scope+": "+r)
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	peer := caps.Peer
	if peer == "" {
		peer = t.Name()
	}
	return fmt.Sprintf("%s %s (%s): %s", DeviationPrefix, peer, t.Name(), strings.Join(parts, "; "))
}

// DeviationPrefix starts every message of DeviationReason, so reports can
// count the specs skipped for a declared deviation apart from other skips.
const DeviationPrefix = "known deviation of"

// statementLabel matches the labels that are MQTT 3.1.1 statement IDs.
var statementLabel = regexp.MustCompile(`^MQTT-[0-9]+(\.[0-9]+)*-[0-9]+$`)

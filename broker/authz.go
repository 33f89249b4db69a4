package broker

import (
	"errors"
	"strconv"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// An Authorizer decides what the clients of a user may do with topics: for
// write, whether they may publish to the topic name topic; otherwise
// whether they may subscribe to the topic filter topic (and so receive
// every message it matches). user is the name the client logged in with
// (one of Config.Users), or nil when no users are configured. Both slices
// alias the broker's buffers and are valid only during the call.
//
// An Authorizer is called from the goroutines serving connections, at
// times with the broker's lock held: it must be safe for concurrent use,
// must not block and must not call the Broker's methods.
type Authorizer func(user, topic []byte, write bool) bool

// An Access is what a Grant allows, or with Deny takes away.
type Access uint8

const (
	// Read allows subscribing to filters the grant's filter covers, and so
	// receiving what is published to them.
	Read Access = 1 << iota
	// Write allows publishing to topics the grant's filter matches.
	Write
	// ReadWrite allows both.
	ReadWrite = Read | Write
)

// Deny takes reading and writing the topics its filter matches away from
// the clients the grant applies to, whatever other grants allow: it is
// mosquitto's "topic deny", for carving exceptions out of a wide grant.
const Deny Access = 1 << 2

// A Grant gives the clients of one user access to the topics that Filter
// matches, or with Deny takes it away.
type Grant struct {
	// User is a name of Config.Users; "" grants clients that connect
	// without users configured.
	User string
	// Pattern makes the grant apply to every client, whatever its user
	// (User must then be ""), with a level of Filter that is exactly "%c"
	// standing for the client's identifier and one that is exactly "%u"
	// for its user name, as mosquitto's "pattern" lines do.
	Pattern bool
	Filter  string // a valid topic filter
	Access  Access
}

// An ACL is an access list, read as mosquitto reads an acl_file. The
// grants that apply to a client are first those of its user (or, with no
// users configured, those of User ""), then the patterns. Among the
// former, a Deny that matches denies, else a grant that matches allows;
// when neither matches, the same goes for the patterns; what neither
// allows is denied. So a Deny overrides the grants beside it, and one of
// the user's overrides the patterns too, but a pattern Deny does not
// override a grant of the user (nor does it in mosquitto).
// ACL.Authorize serves as Config.Authorize; given as Config.ACL instead,
// the broker also knows client identifiers for "%c" and checks reading
// again as it delivers each message (see Config.ACL).
//
// A subscription is allowed when a single read grant covers its whole
// filter, that is when every topic the filter matches is also matched by
// the grant's filter: with a grant to read "sensors/#", "sensors/+/t" is
// allowed but "#" is not, even though part of what "#" matches is
// readable. It is refused when a Deny covers its whole filter; a Deny
// covering only part of it leaves the subscription allowed and the
// denied topics undelivered (with Config.ACL). A grant whose filter
// starts with a wildcard covers no topic starting with '$' (MQTT-4.7.2-1),
// so reading "$SYS/#" needs a grant of its own.
//
// A pattern substitutes a name in place, level by level, and never
// builds a topic. A client identifier or user name holding '/', '+' or
// '#' would turn one level into several or into a wildcard: patterns
// substituting it grant that client nothing, and deny patterns
// substituting it deny it everything left to the patterns. A pattern
// using "%u" does not apply to clients without a user name.
type ACL []Grant

// Authorize reports whether acl lets the clients of user publish to topic
// (write) or subscribe to the filter topic. It knows no client
// identifier, so patterns using "%c" do not apply. It does not allocate.
func (acl ACL) Authorize(user, topic []byte, write bool) bool {
	need := Read
	if write {
		need = Write
	}
	return acl.allows(requester{user: user}, topic, need)
}

// A requester is the client an access is checked for.
type requester struct {
	user     []byte // nil: no user name
	clientID []byte
	hasID    bool // clientID is known: "%c" patterns apply
}

// allows reports whether acl lets r have need on topic, a topic name or,
// for Read, a subscription filter. As mosquitto does, it first reads the
// grants of r's user (or of anonymous clients), then the patterns: in
// each, a Deny that covers topic denies, and otherwise a grant with need
// that covers it allows; when neither does, the patterns decide, and
// when they do not either, topic is denied.
func (acl ACL) allows(r requester, topic []byte, need Access) bool {
	if len(topic) == 0 {
		return false
	}
	for _, patterns := range [2]bool{false, true} {
		granted := false
		for i := range acl {
			g := &acl[i]
			if g.Pattern != patterns || !patterns && !same(g.User, r.user) {
				continue
			}
			if g.Access&Deny != 0 {
				if g.denies(r, topic) {
					return false
				}
			} else if !granted && g.Access&need != 0 {
				granted = g.grants(r, topic)
			}
		}
		if granted {
			return true
		}
	}
	return false
}

// grants reports whether g applies to r and its filter covers topic.
func (g *Grant) grants(r requester, topic []byte) bool {
	if !g.Pattern {
		return covers(g.Filter, topic)
	}
	s, ok := r.subst(g.Filter)
	return ok && s.safe && coversAs(g.Filter, topic, &s)
}

// denies reports whether the Deny g applies to r and covers topic.
func (g *Grant) denies(r requester, topic []byte) bool {
	if !g.Pattern {
		return covers(g.Filter, topic)
	}
	s, ok := r.subst(g.Filter)
	return ok && (!s.safe || coversAs(g.Filter, topic, &s))
}

// subst returns the names that the pattern filter substitutes for r, and
// false when the pattern does not apply to r: it uses "%u" and r has no
// user name, or "%c" and r's identifier is unknown.
func (r requester) subst(filter string) (substitution, bool) {
	s := substitution{clientID: r.clientID, user: r.user, safe: true}
	for i := 0; i < len(filter); {
		j := i
		for j < len(filter) && filter[j] != '/' {
			j++
		}
		switch filter[i:j] {
		case "%c":
			if !r.hasID {
				return s, false
			}
			s.safe = s.safe && singleLevel(r.clientID)
		case "%u":
			if r.user == nil {
				return s, false
			}
			s.safe = s.safe && singleLevel(r.user)
		}
		i = j + 1
	}
	return s, true
}

// singleLevel reports whether name, put in a level of a filter, stays one
// literal level.
func singleLevel(name []byte) bool {
	for _, c := range name {
		if c == '/' || c == '+' || c == '#' {
			return false
		}
	}
	return true
}

// authorized reports whether Config.Authorize and Config.ACL let the
// client of c, whose identifier is clientID, publish to topic (write) or
// subscribe to the filter topic.
func (b *Broker) authorized(c *conn, clientID, topic []byte, write bool) bool {
	return b.authorizerAllows(c, topic, write) && b.aclAllows(c, clientID, topic, write)
}

// authorizerAllows reports whether Config.Authorize lets the client of c
// publish to topic (write) or subscribe to the filter topic.
func (b *Broker) authorizerAllows(c *conn, topic []byte, write bool) bool {
	return b.authz == nil || b.authz(b.userName(c.user), topic, write)
}

// aclAllows is authorizerAllows for Config.ACL, which also needs the
// client identifier.
// It loads the ACL of the moment, as it runs with or without b.mu.
func (b *Broker) aclAllows(c *conn, clientID, topic []byte, write bool) bool {
	acc := b.acc.Load()
	if acc.acl == nil {
		return true
	}
	need := Read
	if write {
		need = Write
	}
	return acc.acl.allows(requester{user: acc.userName(c.user), clientID: clientID, hasID: true}, topic, need)
}

// userName returns the name of user i of Config.Users, or nil for -1.
func (b *Broker) userName(i int32) []byte { return b.acc.Load().userName(i) }

// userName returns the name of user i, or nil for -1.
func (a *access) userName(i int32) []byte {
	if i < 0 {
		return nil
	}
	return a.names[i]
}

// readable reports whether Config.ACL lets network session s receive a
// message published to topic. Subscriptions are checked on their filter
// when made; this check at delivery is what keeps a Deny inside a granted
// wide filter, and follows the session's user when another connection
// takes the session over. It allocates nothing.
func (b *Broker) readable(s *session, topic []byte) bool {
	return b.acl.allows(requester{user: b.userName(s.user), clientID: s.clientID(), hasID: true}, topic, Read)
}

// ErrACL is the reason New gives for refusing Config.ACL.
var ErrACL = errors.New("broker: invalid ACL")

// copyACL checks acl against users and maxTopic and copies it into a
// table sized now, adding its bytes to *total, so that the rules are
// fixed when the broker is built; an empty acl gives nil. The strings are
// shared, as Go strings never change.
func copyACL(acl ACL, users []User, maxTopic int, total *int) (ACL, error) {
	if len(acl) == 0 {
		return nil, nil
	}
	for i, g := range acl {
		if err := checkGrant(g, users, maxTopic); err != nil {
			return nil, because(ErrACL, "grant "+strconv.Itoa(i)+" ("+g.Filter+")", err)
		}
	}
	out := makeTable[Grant](total, len(acl))
	copy(out, acl)
	return out, nil
}

// checkGrant reports what makes g unusable with users and maxTopic.
func checkGrant(g Grant, users []User, maxTopic int) error {
	switch g.Access {
	case Read, Write, ReadWrite, Deny:
	default:
		return errors.New("access " + strconv.Itoa(int(g.Access)) + " is none of Read, Write, ReadWrite and Deny")
	}
	if err := packet.ValidTopicFilter([]byte(g.Filter)); err != nil {
		return err
	}
	if len(g.Filter) > maxTopic {
		return errors.New("filter longer than MaxTopicLength")
	}
	if g.User == "" {
		return nil
	}
	if g.Pattern {
		return errors.New("a pattern applies to every user, so names none")
	}
	for _, u := range users {
		if u.Name == g.User {
			return nil
		}
	}
	return errors.New("user " + strconv.Quote(g.User) + " is not in Config.Users")
}

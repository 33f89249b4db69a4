package broker

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

// An Access is what a Grant allows.
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

// A Grant gives the clients of one user access to the topics that Filter
// matches.
type Grant struct {
	// User is a name of Config.Users; "" grants clients that connect
	// without users configured.
	User   string
	Filter string // a valid topic filter
	Access Access
}

// An ACL is an access list: a client may do what one of the grants of its
// user allows and nothing else. ACL.Authorize serves as Config.Authorize.
//
// A subscription is allowed when a single read grant covers its whole
// filter, that is when every topic the filter matches is also matched by
// the grant's filter: with a grant to read "sensors/#", "sensors/+/t" is
// allowed but "#" is not, even though part of what "#" matches is
// readable. A grant whose filter starts with a wildcard covers no topic
// starting with '$' (MQTT-4.7.2-1), so reading "$SYS/#" needs a grant of
// its own.
type ACL []Grant

// Authorize reports whether acl lets the clients of user publish to topic
// (write) or subscribe to the filter topic. It does not allocate.
func (acl ACL) Authorize(user, topic []byte, write bool) bool {
	need := Read
	if write {
		need = Write
	}
	for i := range acl {
		g := &acl[i]
		if g.Access&need != 0 && g.User == string(user) && len(topic) > 0 && covers(g.Filter, topic) {
			return true
		}
	}
	return false
}

// authorized reports whether Config.Authorize lets the client of c publish
// to topic (write) or subscribe to the filter topic.
func (b *Broker) authorized(c *conn, topic []byte, write bool) bool {
	if b.authz == nil {
		return true
	}
	var user []byte
	if c.user >= 0 {
		user = b.names[c.user]
	}
	return b.authz(user, topic, write)
}

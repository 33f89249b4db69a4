package broker

import (
	"crypto/sha256"
	"errors"
	"strconv"
)

// access is who may log in and what they may do: Config.Users and
// Config.ACL as New copies them, and then as Reload replaces them.
//
// A connection and a session name their user by an index into names,
// taken when the client logged in. So that an index keeps naming the
// same user whatever reloads come after, Reload never reuses or moves
// one: it keeps the names of users it removes (their credentials no
// longer live, so they log in no more, but connections logged in as them
// keep their name for the ACL) and appends new names. names only grows,
// by the names ever configured.
type access struct {
	creds []credential // by user index; empty when no users are configured
	names [][]byte     // by user index
	acl   ACL          // nil when empty
}

// ErrUsers is the reason Reload gives for refusing users.
var ErrUsers = errors.New("broker: invalid users")

// Reload replaces the users and the ACL the broker was built with
// (Config.Users and Config.ACL) while it runs. It checks them as New
// does, and refuses them, keeping the old ones, for what New would
// refuse (an ACL naming a user not in users, an invalid filter, ...) and
// for a user name given twice, with an error wrapping ErrACL or ErrUsers.
//
// The change takes effect at once and as a whole: a CONNECT authenticates
// against either the old users or the new ones, and every ACL check after
// Reload returns, whether of a PUBLISH, a SUBSCRIBE, a will or a delivery
// (also for subscriptions made before), is one of the new ACL. Connections
// and sessions are kept, with the user they logged in as, even a user
// Reload removes; such a user's clients then have what the new ACL's
// patterns give every client. With no users, any client may connect
// again. Config.Authorize is not replaced.
//
// Unlike New, Reload allocates: new tables of the users and the rules,
// the old ones left to the garbage collector, and the bytes of user names
// never configured before. Stats.StateBytes stays the figure of New.
// Reload must not be called from a Handler or an Authorizer.
func (b *Broker) Reload(users []User, acl ACL) error {
	b.reloading.Lock()
	defer b.reloading.Unlock()
	seen := make(map[string]bool, len(users))
	longest := 0
	for _, u := range users {
		if seen[u.Name] {
			return because(ErrUsers, "user "+strconv.Quote(u.Name), errors.New("given twice"))
		}
		seen[u.Name] = true
		longest = max(longest, len(u.Password))
	}
	var unused int
	newACL, err := copyACL(acl, users, b.lim.MaxTopicLength, &unused)
	if err != nil {
		return err
	}

	old := b.acc.Load()
	next := &access{acl: newACL, names: old.names}
	index := make(map[string]int, len(old.names)+len(users))
	for i, n := range old.names {
		index[string(n)] = i
	}
	for _, u := range users {
		if _, ok := index[u.Name]; !ok {
			index[u.Name] = len(next.names)
			next.names = append(next.names[:len(next.names):len(next.names)], []byte(u.Name))
		}
	}
	if len(users) > 0 {
		next.creds = make([]credential, len(next.names))
		for i, n := range next.names {
			next.creds[i].name = sha256.Sum256(n)
		}
		scratch := make([]byte, longest)
		for _, u := range users {
			c := &next.creds[index[u.Name]]
			c.password, c.live = digest(u.Password, scratch), 1
		}
	}

	b.mu.Lock()
	b.acc.Store(next)
	b.acl = newACL
	b.mu.Unlock()
	return nil
}

package main

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
)

// files are the contents of the users, ACL and PSK files, each nil when
// its flag is not given.
type files struct {
	users []broker.User
	acl   broker.ACL
	psks  []tlspsk.PSK
}

// readFiles reads and checks the files the flags name, at start and on
// each reload; the first error says which file and why.
func readFiles(o options) (files, error) {
	var fs files
	if o.usersFile != "" {
		f, err := os.Open(o.usersFile)
		if err != nil {
			return fs, fmt.Errorf("users file: %w", err)
		}
		fs.users, err = parseUsers(f)
		f.Close()
		if err != nil {
			return fs, fmt.Errorf("users file %s: %w", o.usersFile, err)
		}
	}
	if o.aclFile != "" {
		var err error
		if fs.acl, err = readACL(o.aclFile, fs.users); err != nil {
			return fs, err
		}
	}
	if o.pskFile != "" {
		var err error
		if fs.psks, err = readPSKFile(o.pskFile); err != nil {
			return fs, err
		}
	}
	return fs, nil
}

// reloadFiles rereads the files and gives the broker and the PSK listener
// their new contents, all or nothing, and logs what changed or why the
// reload was refused. It returns the files now in force.
func reloadFiles(o options, b *broker.Broker, keys *pskKeys, old files, lg *logger) files {
	next, err := readFiles(o)
	if err == nil {
		err = b.Reload(next.users, next.acl)
	}
	if err != nil {
		lg.Logf("reload refused, keeping the configuration in force: %v", err)
		return old
	}
	if o.pskFile != "" {
		keys.set(next.psks)
	}
	lg.Logf("reloaded: %s", describeChange(o, old, next))
	return next
}

// describeChange says what a reload put in force, with the old counts
// where they changed: "3 users (was 2), ACL of 7 rules, 2 PSK
// identities".
func describeChange(o options, old, next files) string {
	was := func(n, m int) string {
		if n == m {
			return ""
		}
		return fmt.Sprintf(" (was %d)", m)
	}
	s := "anonymous clients allowed"
	if o.usersFile != "" {
		s = fmt.Sprintf("%d users%s", len(next.users), was(len(next.users), len(old.users)))
	}
	if o.aclFile != "" {
		s += fmt.Sprintf(", ACL of %d rules%s", len(next.acl), was(len(next.acl), len(old.acl)))
	}
	if o.pskFile != "" {
		s += fmt.Sprintf(", %d PSK %s%s", len(next.psks), identities(len(next.psks)), was(len(next.psks), len(old.psks)))
	}
	return s
}

// identities is the noun for n identities.
func identities(n int) string {
	if n == 1 {
		return "identity"
	}
	return "identities"
}

// pskKeys are the identities the PSK listener accepts, looked up by
// tlspsk.Config.LookupPSK for each handshake, so that a reload changes
// them for the handshakes after it and not for connections established.
type pskKeys struct {
	m atomic.Pointer[map[string][]byte]
}

// set puts psks in force.
func (k *pskKeys) set(psks []tlspsk.PSK) {
	m := make(map[string][]byte, len(psks))
	for _, p := range psks {
		m[p.Identity] = p.Key
	}
	k.m.Store(&m)
}

// lookup returns the key of identity. Converting identity in the map
// index allocates nothing.
func (k *pskKeys) lookup(identity []byte) ([]byte, bool) {
	key, ok := (*k.m.Load())[string(identity)]
	return key, ok
}

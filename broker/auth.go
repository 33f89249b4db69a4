package broker

import (
	"crypto/sha256"
	"crypto/subtle"
)

// A User may connect with its name and password when Config.Users is set.
type User struct {
	Name, Password string
}

// credential holds the digests of a user's name and password. Comparing
// fixed-size digests keeps the time of a check independent of the lengths
// and contents of the secrets. live is 1 for a user of the current
// configuration and 0 for one that Broker.Reload removed, whose index
// stays reserved (see access).
type credential struct {
	name, password [sha256.Size]byte
	live           int
}

// digest returns the SHA-256 digest of s. It copies s into scratch when
// it fits and clears it after, so that New leaves no copy of a password
// on the heap, neither as garbage nor for as long as the collector takes.
func digest(s string, scratch []byte) [sha256.Size]byte {
	if len(s) > len(scratch) {
		return sha256.Sum256([]byte(s))
	}
	p := scratch[:len(s)]
	copy(p, s)
	d := sha256.Sum256(p)
	clear(p)
	return d
}

// authenticate returns the index of the live user that name and password
// belong to, or -1. It compares against every user, whatever matches, so
// the time taken tells nothing but the number of users (those removed by
// Reload included).
func authenticate(cs []credential, name, password []byte) int {
	n := sha256.Sum256(name)
	p := sha256.Sum256(password)
	found := -1
	for i := range cs {
		ok := subtle.ConstantTimeCompare(n[:], cs[i].name[:]) & subtle.ConstantTimeCompare(p[:], cs[i].password[:]) & cs[i].live
		found = subtle.ConstantTimeSelect(ok, i, found)
	}
	return found
}

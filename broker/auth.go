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
// and contents of the secrets.
type credential struct {
	name, password [sha256.Size]byte
}

func newCredentials(users []User) []credential {
	cs := make([]credential, len(users))
	for i, u := range users {
		cs[i] = credential{sha256.Sum256([]byte(u.Name)), sha256.Sum256([]byte(u.Password))}
	}
	return cs
}

// authenticate returns the index of the user that name and password
// belong to, or -1. It compares against every user, whatever matches, so
// the time taken tells nothing but the number of users.
func authenticate(cs []credential, name, password []byte) int {
	n := sha256.Sum256(name)
	p := sha256.Sum256(password)
	found := -1
	for i := range cs {
		ok := subtle.ConstantTimeCompare(n[:], cs[i].name[:]) & subtle.ConstantTimeCompare(p[:], cs[i].password[:])
		found = subtle.ConstantTimeSelect(ok, i, found)
	}
	return found
}

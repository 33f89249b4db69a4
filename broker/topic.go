package broker

// MatchTopic reports whether the topic name matches the topic filter by the
// rules of MQTT 3.1.1 section 4.7: '+' matches exactly one level, possibly
// an empty one; '#' matches the parent level and any number of levels below
// it; and a filter starting with a wildcard does not match a topic name
// starting with '$'. Both arguments are assumed valid (see
// packet.ValidTopicName and packet.ValidTopicFilter). It does not allocate.
func MatchTopic(filter, topic string) bool { return covers(filter, topic) }

// match is MatchTopic on the byte slices routing holds.
func match(filter, topic []byte) bool { return covers(filter, topic) }

// text is a topic name or filter held as either a string or bytes.
type text interface{ ~string | ~[]byte }

// covers reports whether every topic name that sub matches is also
// matched by filter. For a topic name sub (no wildcards) that is whether
// filter matches sub, so routing (match) and authorization (ACL) share
// this one reading of section 4.7. Both are assumed valid; an empty
// filter covers nothing.
func covers[F, S text](filter F, sub S) bool { return coversAs(filter, sub, nil) }

// A substitution gives the names that the "%c" and "%u" levels of an ACL
// pattern stand for.
type substitution struct {
	clientID, user []byte
	safe           bool // neither name holds '/', '+' or '#'
}

// coversAs is covers with the levels of filter that are exactly "%c" or
// "%u" read as the names of sub, when sub is not nil. The names are
// compared in place, so checking a pattern builds no topic.
func coversAs[F, S text](filter F, sub S, subst *substitution) bool {
	if len(filter) == 0 {
		return false
	}
	// A filter starting with a wildcard matches no '$' topic; a sub
	// starting with '$' matches only '$' topics.
	if len(sub) > 0 && sub[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	f, s := 0, 0
	for {
		// f and s are at the start of a level.
		if f < len(filter) && filter[f] == '#' {
			return true
		}
		switch {
		case f < len(filter) && filter[f] == '+':
			// One level, whatever it holds, unless sub's level is '#',
			// which matches several.
			if s < len(sub) && sub[s] == '#' {
				return false
			}
			f++
			for s < len(sub) && sub[s] != '/' {
				s++
			}
		case subst != nil && f < len(filter) && filter[f] == '%' && f+1 < len(filter) &&
			(filter[f+1] == 'c' || filter[f+1] == 'u') && (f+2 == len(filter) || filter[f+2] == '/'):
			name := subst.clientID
			if filter[f+1] == 'u' {
				name = subst.user
			}
			if len(sub)-s < len(name) || !same(sub[s:s+len(name)], name) {
				return false
			}
			f += 2
			s += len(name)
			if s < len(sub) && sub[s] != '/' {
				return false
			}
		default:
			// A literal level covers only the same literal level.
			for f < len(filter) && filter[f] != '/' {
				if s >= len(sub) || sub[s] != filter[f] {
					return false
				}
				f++
				s++
			}
			if s < len(sub) && sub[s] != '/' {
				return false
			}
		}
		// Both are at the end of the level: a '/' or the end.
		fEnd, sEnd := f == len(filter), s == len(sub)
		switch {
		case fEnd && sEnd:
			return true
		case fEnd:
			return false
		case sEnd:
			// Only "/#" may follow: '#' includes the parent level.
			return f+2 == len(filter) && filter[f+1] == '#'
		}
		f++
		s++
	}
}

// same reports whether a and b hold the same bytes. It is what
// string(a) == string(b) says, but TinyGo copies each []byte it converts
// to a string onto the heap, even to compare it, and routing compares
// topics for every message.
func same[A, B text](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hasWildcard reports whether a filter contains '+' or '#'.
func hasWildcard(filter []byte) bool {
	for _, c := range filter {
		if c == '+' || c == '#' {
			return true
		}
	}
	return false
}

// hashTopic is FNV-1a, used to find exact filters for a topic name.
func hashTopic(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

package broker

// MatchTopic reports whether the topic name matches the topic filter by the
// rules of MQTT 3.1.1 section 4.7: '+' matches exactly one level, possibly
// an empty one; '#' matches the parent level and any number of levels below
// it; and a filter starting with a wildcard does not match a topic name
// starting with '$'. Both arguments are assumed valid (see
// packet.ValidTopicName and packet.ValidTopicFilter).
func MatchTopic(filter, topic string) bool {
	return match([]byte(filter), []byte(topic))
}

// match is MatchTopic on byte slices; it does not allocate.
func match(filter, topic []byte) bool {
	if len(filter) == 0 {
		return false
	}
	if len(topic) > 0 && topic[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	f, t := 0, 0
	for {
		// f and t are at the start of a level.
		if f < len(filter) && filter[f] == '#' {
			return true
		}
		if f < len(filter) && filter[f] == '+' {
			f++
			for t < len(topic) && topic[t] != '/' {
				t++
			}
		} else {
			for f < len(filter) && filter[f] != '/' {
				if t >= len(topic) || topic[t] != filter[f] {
					return false
				}
				f++
				t++
			}
			if t < len(topic) && topic[t] != '/' {
				return false
			}
		}
		// Both are at the end of the level: a '/' or the end.
		fEnd, tEnd := f == len(filter), t == len(topic)
		switch {
		case fEnd && tEnd:
			return true
		case fEnd:
			return false
		case tEnd:
			// Only "/#" may follow: '#' includes the parent level.
			return f+2 == len(filter) && filter[f+1] == '#'
		}
		f++
		t++
	}
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

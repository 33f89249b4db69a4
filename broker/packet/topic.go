package packet

// ValidTopicName reports whether b may be used as a PUBLISH topic name:
// non-empty, valid UTF-8 without U+0000, no wildcards.
func ValidTopicName(b []byte) error {
	panic("unimplemented")
}

// ValidTopicFilter reports whether b is a well-formed topic filter: non-empty,
// valid UTF-8 without U+0000, '+' alone in its level, '#' alone and last.
func ValidTopicFilter(b []byte) error {
	panic("unimplemented")
}

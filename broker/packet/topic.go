package packet

// ValidTopicName reports whether b may be used as a PUBLISH topic name:
// non-empty, at most 65535 bytes of valid UTF-8 without U+0000, no
// wildcards (MQTT 3.1.1 sections 1.5.3, 4.7.1 and 4.7.3).
func ValidTopicName(b []byte) error {
	if len(b) == 0 {
		return ErrEmptyTopic
	}
	if err := checkString(b); err != nil {
		return err
	}
	for _, c := range b {
		if c == '+' || c == '#' {
			return ErrWildcardInTopic
		}
	}
	return nil
}

// ValidTopicFilter reports whether b is a well-formed topic filter: non-empty,
// at most 65535 bytes of valid UTF-8 without U+0000, '+' alone in its
// level, '#' alone in the last level (MQTT 3.1.1 section 4.7.1).
func ValidTopicFilter(b []byte) error {
	if len(b) == 0 {
		return ErrEmptyTopic
	}
	if err := checkString(b); err != nil {
		return err
	}
	for i, c := range b {
		switch c {
		case '+':
			if i > 0 && b[i-1] != '/' || i+1 < len(b) && b[i+1] != '/' {
				return ErrInvalidFilter
			}
		case '#':
			if i > 0 && b[i-1] != '/' || i+1 != len(b) {
				return ErrInvalidFilter
			}
		}
	}
	return nil
}

package packet_test

import (
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestValidTopic(t *testing.T) {
	for _, tc := range []struct {
		topic        string
		name, filter error
	}{
		{"a", nil, nil},
		{"/", nil, nil},
		{"//", nil, nil},
		{"sport/tennis/player1", nil, nil},
		{"$SYS/broker", nil, nil},
		{"Ελλάδα/€/𝄞", nil, nil},
		{" ", nil, nil},
		{"\uFEFF", nil, nil},
		{"\uFFFD", nil, nil},
		{"", packet.ErrEmptyTopic, packet.ErrEmptyTopic},
		{"#", packet.ErrWildcardInTopic, nil},
		{"+", packet.ErrWildcardInTopic, nil},
		{"sport/#", packet.ErrWildcardInTopic, nil},
		{"sport/tennis/#", packet.ErrWildcardInTopic, nil},
		{"+/tennis/#", packet.ErrWildcardInTopic, nil},
		{"sport/+/player1", packet.ErrWildcardInTopic, nil},
		{"/+", packet.ErrWildcardInTopic, nil},
		{"+/", packet.ErrWildcardInTopic, nil},
		{"+/+", packet.ErrWildcardInTopic, nil},
		{"/#", packet.ErrWildcardInTopic, nil},
		{"sport#", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"sport/tennis#", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"sport/tennis/#/ranking", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"#/", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"##", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"sport+", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"+sport", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"a/++/b", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"a/+#", packet.ErrWildcardInTopic, packet.ErrInvalidFilter},
		{"a\x00b", packet.ErrNullCharacter, packet.ErrNullCharacter},
		{"\xed\xa0\x80", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xed\xbf\xbf", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xc0\x80", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xe0\x80\xaf", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xf0\x80\x80\xaf", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xf8\x88\x80\x80\x80", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{"\xff", packet.ErrInvalidUTF8, packet.ErrInvalidUTF8},
		{strings.Repeat("a", 65535), nil, nil},
		{strings.Repeat("a", 65536), packet.ErrStringTooLong, packet.ErrStringTooLong},
	} {
		if err := packet.ValidTopicName([]byte(tc.topic)); err != tc.name {
			t.Errorf("ValidTopicName(%.20q) = %v, want %v", tc.topic, err, tc.name)
		}
		if err := packet.ValidTopicFilter([]byte(tc.topic)); err != tc.filter {
			t.Errorf("ValidTopicFilter(%.20q) = %v, want %v", tc.topic, err, tc.filter)
		}
	}
}

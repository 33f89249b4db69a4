package client

import "testing"

func TestRecordParser(t *testing.T) {
	// A handshake record of 3 bytes, an application data record of 300,
	// an alert of 2: fed whole and at every split, the counts agree.
	var stream []byte
	for _, r := range []struct {
		typ byte
		n   int
	}{{RecordHandshake, 3}, {RecordApplicationData, 300}, {RecordAlert, 2}} {
		stream = append(stream, r.typ, 3, 3, byte(r.n>>8), byte(r.n))
		stream = append(stream, make([]byte, r.n)...)
	}
	for split := 0; split <= len(stream); split++ {
		var p recordParser
		p.feed(stream[:split])
		p.feed(stream[split:])
		s := p.snapshot()
		if s.Records != 3 || s.MaxLength != 300 || s.Bytes != len(stream) ||
			s.ByType[RecordHandshake] != 1 || s.ByType[RecordApplicationData] != 1 || s.ByType[RecordAlert] != 1 {
			t.Fatalf("split at %d: %+v", split, s)
		}
	}
	var p recordParser
	for _, b := range stream {
		p.feed([]byte{b})
	}
	if s := p.snapshot(); s.Records != 3 || s.MaxLength != 300 {
		t.Errorf("byte by byte: %+v", s)
	}
}

package tlspsk

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
)

// MinKeyBytes is the shortest key ParsePSKFile accepts: 128 bits. An
// external PSK is the connection's only secret, so a shorter one is
// refused rather than merely discouraged.
const MinKeyBytes = 16

// ErrPSKFile is wrapped by every error ParsePSKFile returns.
var ErrPSKFile = errors.New("tlspsk: bad PSK file")

// ParsePSKFile reads identities and keys in the format of mosquitto's
// psk_file: one identity:hexkey per line, where the identity is everything
// before the first colon and the key is hexadecimal (either case). Blank
// lines and lines whose first non-blank character is # are ignored, and
// spaces around a line are trimmed. The result is ready for Config.PSKs.
//
// A line without a colon, an empty identity, a key that is not hex or is
// shorter than MinKeyBytes, an identity given twice, and a file with no
// identity at all are errors naming the line.
func ParsePSKFile(r io.Reader) ([]PSK, error) {
	var psks []PSK
	firstLine := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		id, hexKey, ok := strings.Cut(line, ":")
		if !ok {
			return nil, pskFileError(n, "want identity:hexkey")
		}
		if id == "" {
			return nil, pskFileError(n, "empty identity")
		}
		if len(id) > 0xffff {
			return nil, pskFileError(n, "identity longer than 65535 bytes")
		}
		key, err := hex.DecodeString(hexKey)
		if err != nil {
			return nil, pskFileError(n, "key of identity "+strconv.Quote(id)+" is not hex: "+err.Error())
		}
		if len(key) < MinKeyBytes {
			return nil, pskFileError(n, "key of identity "+strconv.Quote(id)+" has "+
				strconv.Itoa(len(key)*8)+" bits, want at least "+strconv.Itoa(MinKeyBytes*8))
		}
		if first, dup := firstLine[id]; dup {
			return nil, pskFileError(n, "identity "+strconv.Quote(id)+" already given on line "+strconv.Itoa(first))
		}
		firstLine[id] = n
		psks = append(psks, PSK{Identity: id, Key: key})
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Join(ErrPSKFile, err)
	}
	if len(psks) == 0 {
		return nil, &pskFileErr{detail: "no identities"}
	}
	return psks, nil
}

func pskFileError(line int, detail string) error {
	return &pskFileErr{line: line, detail: detail}
}

type pskFileErr struct {
	line   int
	detail string
}

func (e *pskFileErr) Error() string {
	s := ErrPSKFile.Error() + ": "
	if e.line > 0 {
		s += "line " + strconv.Itoa(e.line) + ": "
	}
	return s + e.detail
}

func (e *pskFileErr) Unwrap() error { return ErrPSKFile }

// AppendPSKFileLine appends psk as a line of a psk_file, the inverse of
// ParsePSKFile, for tools that hand keys to a peer such as mosquitto. The
// identity must not hold a colon or a line break, which the format cannot
// carry.
func AppendPSKFileLine(b []byte, psk PSK) []byte {
	b = append(b, psk.Identity...)
	b = append(b, ':')
	b = hex.AppendEncode(b, psk.Key)
	return append(b, '\n')
}

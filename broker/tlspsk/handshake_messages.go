package tlspsk

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// Handshake message types (RFC 8446 section 4).
const (
	typeClientHello         uint8 = 1
	typeServerHello         uint8 = 2
	typeNewSessionTicket    uint8 = 4
	typeEndOfEarlyData      uint8 = 5
	typeEncryptedExtensions uint8 = 8
	typeCertificate         uint8 = 11
	typeCertificateRequest  uint8 = 13
	typeCertificateVerify   uint8 = 15
	typeFinished            uint8 = 20
	typeKeyUpdate           uint8 = 24
	typeMessageHash         uint8 = 254
)

// Extension types.
const (
	extServerName          uint16 = 0
	extMaxFragmentLength   uint16 = 1
	extSupportedGroups     uint16 = 10
	extSignatureAlgorithms uint16 = 13
	extRecordSizeLimit     uint16 = 28
	extPreSharedKey        uint16 = 41
	extEarlyData           uint16 = 42
	extSupportedVersions   uint16 = 43
	extCookie              uint16 = 44
	extPSKModes            uint16 = 45
	extKeyShare            uint16 = 51
)

const (
	versionTLS12 uint16 = 0x0303
	versionTLS13 uint16 = 0x0304
)

// helloRetryRandom is the ServerHello.random that marks a
// HelloRetryRequest: SHA-256 of "HelloRetryRequest".
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

type extension struct {
	typ  uint16
	data []byte
}

type keyShare struct {
	group Group
	data  []byte
}

type pskIdentity struct {
	identity []byte
	age      uint32
}

func decodeErr(what string) error {
	return fail(AlertDecodeError, ErrDecode, what)
}

// appendHandshake frames body as a handshake message of type typ.
func appendHandshake(typ uint8, body []byte) []byte {
	msg := make([]byte, 4, 4+len(body))
	msg[0] = typ
	msg[1], msg[2], msg[3] = byte(len(body)>>16), byte(len(body)>>8), byte(len(body))
	return append(msg, body...)
}

func buildMessage(typ uint8, f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddUint8(typ)
	b.AddUint24LengthPrefixed(f)
	out, err := b.Bytes()
	if err != nil {
		// Lengths here are bounded by the Config checks; an overflow means
		// a bug, not bad input.
		panic("tlspsk: building handshake message: " + err.Error())
	}
	return out
}

func addExtensions(b *cryptobyte.Builder, exts []extension) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddUint16(e.typ)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.data) })
		}
	})
}

// readExtensions splits an extensions block. It rejects duplicates with
// illegal_parameter (RFC 8446 section 4.2).
func readExtensions(s *cryptobyte.String, msg string) ([]extension, error) {
	var block cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&block) {
		return nil, decodeErr(msg + " extensions")
	}
	var exts []extension
	for !block.Empty() {
		var e extension
		var data cryptobyte.String
		if !block.ReadUint16(&e.typ) || !block.ReadUint16LengthPrefixed(&data) {
			return nil, decodeErr(msg + " extension")
		}
		for _, seen := range exts {
			if seen.typ == e.typ {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, msg+" repeats extension")
			}
		}
		e.data = data
		exts = append(exts, e)
	}
	return exts, nil
}

// clientHello is a ClientHello as this package reads and writes it. Fields
// of extensions that were absent are zero; the has* flags tell presence
// where an empty value is meaningful.
type clientHello struct {
	vers         uint16
	random       []byte
	sessionID    []byte
	cipherSuites []uint16
	compression  []byte

	hasExtensions     bool
	supportedVersions []uint16
	hasGroups         bool
	groups            []Group
	hasKeyShares      bool
	keyShares         []keyShare
	hasPSKModes       bool
	pskModes          []uint8
	hasPSK            bool
	identities        []pskIdentity
	binders           [][]byte
	mfl               uint8  // max_fragment_length code, 0 when absent
	recordSizeLimit   uint16 // 0 when absent
	earlyData         bool
	cookie            []byte

	// bindersLen is the size of the binders vector, length prefix
	// included, that ends the message: what binders do not cover.
	bindersLen int
}

// extensions lists the ClientHello extensions in the order they are sent,
// pre_shared_key last as RFC 8446 requires.
func (ch *clientHello) extensions() []extension {
	var exts []extension
	add := func(typ uint16, f func(b *cryptobyte.Builder)) {
		var b cryptobyte.Builder
		f(&b)
		exts = append(exts, extension{typ, b.BytesOrPanic()})
	}
	if len(ch.supportedVersions) > 0 {
		add(extSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range ch.supportedVersions {
					b.AddUint16(v)
				}
			})
		})
	}
	if ch.hasGroups {
		add(extSupportedGroups, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, g := range ch.groups {
					b.AddUint16(uint16(g))
				}
			})
		})
	}
	if ch.hasKeyShares {
		add(extKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, ks := range ch.keyShares {
					b.AddUint16(uint16(ks.group))
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.data) })
				}
			})
		})
	}
	if ch.hasPSKModes {
		add(extPSKModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.pskModes) })
		})
	}
	if ch.mfl != 0 {
		add(extMaxFragmentLength, func(b *cryptobyte.Builder) { b.AddUint8(ch.mfl) })
	}
	if ch.recordSizeLimit != 0 {
		add(extRecordSizeLimit, func(b *cryptobyte.Builder) { b.AddUint16(ch.recordSizeLimit) })
	}
	if ch.cookie != nil {
		add(extCookie, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.cookie) })
		})
	}
	if ch.earlyData {
		exts = append(exts, extension{extEarlyData, nil})
	}
	if ch.hasPSK {
		add(extPreSharedKey, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, id := range ch.identities {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(id.identity) })
					b.AddUint32(id.age)
				}
			})
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, binder := range ch.binders {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(binder) })
				}
			})
		})
	}
	return exts
}

// marshal encodes the ClientHello with its own extensions.
func (ch *clientHello) marshal() []byte {
	return ch.marshalWith(ch.extensions())
}

// marshalWith encodes the ClientHello with the given extension list; tests
// use it to build malformed hellos.
func (ch *clientHello) marshalWith(exts []extension) []byte {
	return buildMessage(typeClientHello, func(b *cryptobyte.Builder) {
		b.AddUint16(ch.vers)
		b.AddBytes(ch.random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range ch.cipherSuites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ch.compression) })
		addExtensions(b, exts)
	})
}

// parseClientHello decodes a whole ClientHello message, header included.
func parseClientHello(msg []byte) (*clientHello, error) {
	if len(msg) < 4 || msg[0] != typeClientHello {
		return nil, decodeErr("ClientHello header")
	}
	s := cryptobyte.String(msg[4:])
	ch := &clientHello{}
	var random, sid, suites, comp cryptobyte.String
	if !s.ReadUint16(&ch.vers) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || len(sid) > 32 ||
		!s.ReadUint16LengthPrefixed(&suites) || len(suites)%2 != 0 || len(suites) == 0 ||
		!s.ReadUint8LengthPrefixed(&comp) || len(comp) == 0 {
		return nil, decodeErr("ClientHello")
	}
	ch.random, ch.sessionID, ch.compression = random, sid, comp
	for !suites.Empty() {
		var v uint16
		suites.ReadUint16(&v)
		ch.cipherSuites = append(ch.cipherSuites, v)
	}
	if s.Empty() {
		// A hello without extensions is from TLS 1.2 or older.
		return ch, nil
	}
	ch.hasExtensions = true
	exts, err := readExtensions(&s, "ClientHello")
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, decodeErr("ClientHello trailing data")
	}
	for i, e := range exts {
		d := cryptobyte.String(e.data)
		ok := true
		switch e.typ {
		case extSupportedVersions:
			var l cryptobyte.String
			ok = d.ReadUint8LengthPrefixed(&l) && len(l) >= 2 && len(l)%2 == 0
			for ok && !l.Empty() {
				var v uint16
				l.ReadUint16(&v)
				ch.supportedVersions = append(ch.supportedVersions, v)
			}
		case extSupportedGroups:
			var l cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&l) && len(l) >= 2 && len(l)%2 == 0
			ch.hasGroups = true
			for ok && !l.Empty() {
				var v uint16
				l.ReadUint16(&v)
				ch.groups = append(ch.groups, Group(v))
			}
		case extKeyShare:
			var l cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&l)
			ch.hasKeyShares = true
			for ok && !l.Empty() {
				var ks keyShare
				var data cryptobyte.String
				var g uint16
				ok = l.ReadUint16(&g) && l.ReadUint16LengthPrefixed(&data) && len(data) > 0
				ks.group, ks.data = Group(g), data
				ch.keyShares = append(ch.keyShares, ks)
			}
		case extPSKModes:
			var l cryptobyte.String
			ok = d.ReadUint8LengthPrefixed(&l) && len(l) > 0
			ch.hasPSKModes = true
			ch.pskModes = l
		case extMaxFragmentLength:
			ok = d.ReadUint8(&ch.mfl)
			if ok && mflLength(ch.mfl) == 0 {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "ClientHello max_fragment_length value")
			}
		case extRecordSizeLimit:
			ok = d.ReadUint16(&ch.recordSizeLimit)
			if ok && ch.recordSizeLimit < MinRecordSizeLimit {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "ClientHello record_size_limit below 64")
			}
		case extEarlyData:
			ch.earlyData = true
		case extCookie:
			var l cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&l) && len(l) > 0
			ch.cookie = l
		case extPreSharedKey:
			if i != len(exts)-1 {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "pre_shared_key is not the last ClientHello extension")
			}
			ch.hasPSK = true
			var ids, binders cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&ids) && len(ids) > 0 &&
				d.ReadUint16LengthPrefixed(&binders) && len(binders) > 0
			for ok && !ids.Empty() {
				var id pskIdentity
				var name cryptobyte.String
				ok = ids.ReadUint16LengthPrefixed(&name) && len(name) > 0 && ids.ReadUint32(&id.age)
				id.identity = name
				ch.identities = append(ch.identities, id)
			}
			ch.bindersLen = 2 + len(binders)
			for ok && !binders.Empty() {
				var b cryptobyte.String
				ok = binders.ReadUint8LengthPrefixed(&b) && len(b) >= 32
				ch.binders = append(ch.binders, b)
			}
		default:
			// Unknown extensions are ignored (RFC 8446 section 4.2).
			continue
		}
		if !ok || !d.Empty() {
			return nil, decodeErr("ClientHello extension " + extName(e.typ))
		}
	}
	return ch, nil
}

// serverHello is a ServerHello or, when isHRR, a HelloRetryRequest.
type serverHello struct {
	isHRR     bool
	vers      uint16
	random    []byte
	sessionID []byte
	suite     uint16
	comp      uint8

	supportedVersion uint16
	hasKeyShare      bool
	keyShare         keyShare // ServerHello
	selectedGroup    Group    // HelloRetryRequest
	hasPSK           bool
	pskIndex         uint16
	cookie           []byte
	extra            []extension // sent after the others; tests use it
}

func (sh *serverHello) marshal() []byte {
	var exts []extension
	add := func(typ uint16, f func(b *cryptobyte.Builder)) {
		var b cryptobyte.Builder
		f(&b)
		exts = append(exts, extension{typ, b.BytesOrPanic()})
	}
	if sh.supportedVersion != 0 {
		add(extSupportedVersions, func(b *cryptobyte.Builder) { b.AddUint16(sh.supportedVersion) })
	}
	if sh.hasKeyShare {
		add(extKeyShare, func(b *cryptobyte.Builder) {
			if sh.isHRR {
				b.AddUint16(uint16(sh.selectedGroup))
				return
			}
			b.AddUint16(uint16(sh.keyShare.group))
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sh.keyShare.data) })
		})
	}
	if sh.hasPSK {
		add(extPreSharedKey, func(b *cryptobyte.Builder) { b.AddUint16(sh.pskIndex) })
	}
	if sh.cookie != nil {
		add(extCookie, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sh.cookie) })
		})
	}
	exts = append(exts, sh.extra...)
	random := sh.random
	if sh.isHRR {
		random = helloRetryRandom[:]
	}
	return buildMessage(typeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(sh.vers)
		b.AddBytes(random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sh.sessionID) })
		b.AddUint16(sh.suite)
		b.AddUint8(sh.comp)
		addExtensions(b, exts)
	})
}

// parseServerHello decodes a ServerHello or HelloRetryRequest, header
// included. Extensions a ServerHello may not carry are refused with
// unsupported_extension, since the client never asks for them.
func parseServerHello(msg []byte) (*serverHello, error) {
	if len(msg) < 4 || msg[0] != typeServerHello {
		return nil, decodeErr("ServerHello header")
	}
	s := cryptobyte.String(msg[4:])
	sh := &serverHello{}
	var random, sid cryptobyte.String
	if !s.ReadUint16(&sh.vers) || !s.ReadBytes((*[]byte)(&random), 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || len(sid) > 32 ||
		!s.ReadUint16(&sh.suite) || !s.ReadUint8(&sh.comp) {
		return nil, decodeErr("ServerHello")
	}
	sh.random, sh.sessionID = random, sid
	sh.isHRR = string(random) == string(helloRetryRandom[:])
	if s.Empty() {
		return sh, nil // TLS 1.2 or older: no supported_versions
	}
	exts, err := readExtensions(&s, "ServerHello")
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, decodeErr("ServerHello trailing data")
	}
	for _, e := range exts {
		d := cryptobyte.String(e.data)
		ok := true
		switch {
		case e.typ == extSupportedVersions:
			ok = d.ReadUint16(&sh.supportedVersion)
		case e.typ == extKeyShare && sh.isHRR:
			var g uint16
			ok = d.ReadUint16(&g)
			sh.hasKeyShare, sh.selectedGroup = true, Group(g)
		case e.typ == extKeyShare:
			var g uint16
			var data cryptobyte.String
			ok = d.ReadUint16(&g) && d.ReadUint16LengthPrefixed(&data) && len(data) > 0
			sh.hasKeyShare, sh.keyShare = true, keyShare{Group(g), data}
		case e.typ == extPreSharedKey && !sh.isHRR:
			ok = d.ReadUint16(&sh.pskIndex)
			sh.hasPSK = true
		case e.typ == extCookie && sh.isHRR:
			var l cryptobyte.String
			ok = d.ReadUint16LengthPrefixed(&l) && len(l) > 0
			sh.cookie = l
		default:
			return nil, fail(AlertUnsupportedExtension, ErrUnsupportedExtension, "ServerHello carries "+extName(e.typ))
		}
		if !ok || !d.Empty() {
			return nil, decodeErr("ServerHello extension " + extName(e.typ))
		}
	}
	return sh, nil
}

// encryptedExtensions holds what this package understands of an
// EncryptedExtensions message.
type encryptedExtensions struct {
	mfl             uint8  // 0 when absent
	recordSizeLimit uint16 // 0 when absent
	hasGroups       bool
	earlyData       bool
	serverName      bool
	unknown         []uint16
	extra           []extension // sent after the others; tests use it
}

func (ee *encryptedExtensions) marshal() []byte {
	var exts []extension
	if ee.mfl != 0 {
		exts = append(exts, extension{extMaxFragmentLength, []byte{ee.mfl}})
	}
	if ee.recordSizeLimit != 0 {
		exts = append(exts, extension{extRecordSizeLimit, []byte{byte(ee.recordSizeLimit >> 8), byte(ee.recordSizeLimit)}})
	}
	exts = append(exts, ee.extra...)
	return buildMessage(typeEncryptedExtensions, func(b *cryptobyte.Builder) { addExtensions(b, exts) })
}

func parseEncryptedExtensions(msg []byte) (*encryptedExtensions, error) {
	if len(msg) < 4 || msg[0] != typeEncryptedExtensions {
		return nil, decodeErr("EncryptedExtensions header")
	}
	s := cryptobyte.String(msg[4:])
	exts, err := readExtensions(&s, "EncryptedExtensions")
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, decodeErr("EncryptedExtensions trailing data")
	}
	ee := &encryptedExtensions{}
	for _, e := range exts {
		d := cryptobyte.String(e.data)
		ok := true
		switch e.typ {
		case extMaxFragmentLength:
			ok = d.ReadUint8(&ee.mfl) && ee.mfl != 0
		case extRecordSizeLimit:
			ok = d.ReadUint16(&ee.recordSizeLimit)
			if ok && ee.recordSizeLimit < MinRecordSizeLimit {
				return nil, fail(AlertIllegalParameter, ErrIllegalParameter, "EncryptedExtensions record_size_limit below 64")
			}
		case extSupportedGroups:
			// Informational (RFC 8446 section 4.2.7); the content is not used.
			ee.hasGroups = true
			d = nil
		case extEarlyData:
			ee.earlyData = true
		case extServerName:
			ee.serverName = true
		default:
			ee.unknown = append(ee.unknown, e.typ)
			d = nil
		}
		if !ok || !d.Empty() {
			return nil, decodeErr("EncryptedExtensions extension " + extName(e.typ))
		}
	}
	return ee, nil
}

func marshalFinished(verifyData []byte) []byte {
	return appendHandshake(typeFinished, verifyData)
}

func parseFinished(msg []byte) ([]byte, error) {
	if len(msg) != 4+hashLen || msg[0] != typeFinished {
		return nil, decodeErr("Finished")
	}
	return msg[4:], nil
}

// KeyUpdate request values.
const (
	updateNotRequested uint8 = 0
	updateRequested    uint8 = 1
)

func marshalKeyUpdate(request uint8) []byte {
	return appendHandshake(typeKeyUpdate, []byte{request})
}

func parseKeyUpdate(msg []byte) (uint8, error) {
	if len(msg) != 5 || msg[0] != typeKeyUpdate {
		return 0, decodeErr("KeyUpdate")
	}
	if msg[4] > updateRequested {
		return 0, fail(AlertIllegalParameter, ErrIllegalParameter, "KeyUpdate request value")
	}
	return msg[4], nil
}

func extName(t uint16) string {
	switch t {
	case extServerName:
		return "server_name"
	case extMaxFragmentLength:
		return "max_fragment_length"
	case extSupportedGroups:
		return "supported_groups"
	case extSignatureAlgorithms:
		return "signature_algorithms"
	case extRecordSizeLimit:
		return "record_size_limit"
	case extPreSharedKey:
		return "pre_shared_key"
	case extEarlyData:
		return "early_data"
	case extSupportedVersions:
		return "supported_versions"
	case extCookie:
		return "cookie"
	case extPSKModes:
		return "psk_key_exchange_modes"
	case extKeyShare:
		return "key_share"
	}
	return "extension " + strconv.Itoa(int(t))
}

package tlspsk

import (
	"bufio"
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
)

// rfc8448 loads the RFC 8448 section 4 values from testdata.
func rfc8448(t *testing.T) map[string][]byte {
	t.Helper()
	f, err := os.Open("testdata/rfc8448-section4.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, hexv, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(strings.TrimSpace(hexv))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v[name] = b
	}
	return v
}

func wantBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %x\nwant %x", what, got, want)
	}
}

type nopCloser struct{ io.ReadWriter }

func (nopCloser) Close() error { return nil }

// openRecord removes the protection of one record with the traffic secret
// at sequence number seq, through the package's record reader.
func openRecord(t *testing.T, secret []byte, seq uint64, record []byte) (recordType, []byte) {
	t.Helper()
	c := &Conn{rw: nopCloser{bytes.NewBuffer(record)}, inBuf: make([]byte, recordBufSize(MaxPlaintext+1)), recvInner: MaxPlaintext + 1}
	if err := c.in.setSecret(suiteByID(uint16(TLS_AES_128_GCM_SHA256)), secret); err != nil {
		t.Fatal(err)
	}
	c.in.seq = seq
	typ, data, err := c.readRecord()
	if err != nil {
		t.Fatalf("opening record: %v", err)
	}
	return typ, append([]byte(nil), data...)
}

// sealRecordWith protects content as the package's writer does.
func sealRecordWith(t *testing.T, secret []byte, seq uint64, typ recordType, content []byte) []byte {
	t.Helper()
	c := &Conn{}
	if err := c.out.setSecret(suiteByID(uint16(TLS_AES_128_GCM_SHA256)), secret); err != nil {
		t.Fatal(err)
	}
	c.out.seq = seq
	rec, err := c.sealRecord(make([]byte, recordBufSize(len(content)+1)), typ, content)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestRFC8448Resumption walks the resumed handshake of RFC 8448 section 4
// (X25519, TLS_AES_128_GCM_SHA256) through this package's key schedule,
// binder, message parsers and record layer. The trace uses a resumption
// PSK, hence the "res binder" label; everything else is shared with
// external PSKs.
func TestRFC8448Resumption(t *testing.T) {
	v := rfc8448(t)
	ch := v["client_hello"]

	early := earlySecret(v["psk"])
	wantBytes(t, "early secret", early, v["early_secret"])

	// Binder: the truncated ClientHello, the binder key and its
	// finished key, the binder itself.
	parsed, err := parseClientHello(ch)
	if err != nil {
		t.Fatalf("parsing the trace's ClientHello: %v", err)
	}
	if !parsed.hasPSK || len(parsed.identities) != 1 || parsed.bindersLen != 35 || parsed.recordSizeLimit != 0x4001 || !parsed.earlyData {
		t.Fatalf("ClientHello parsed as %+v", parsed)
	}
	bh := sha256.Sum256(ch[:len(ch)-parsed.bindersLen])
	wantBytes(t, "binder hash", bh[:], v["binder_hash"])
	bk := binderKey(early, false)
	wantBytes(t, "binder key", bk, v["binder_key"])
	wantBytes(t, "binder finished key", finishedKey(bk), v["binder_finished_key"])
	wantBytes(t, "binder", finishedMAC(bk, bh[:]), v["binder"])
	wantBytes(t, "parsed binder", parsed.binders[0], v["binder"])
	resigned := append([]byte(nil), ch...)
	clear(resigned[len(resigned)-hashLen:])
	signBinder(resigned, nil, bk)
	wantBytes(t, "ClientHello signed by signBinder", resigned, ch)

	// 0-RTT keys, which check Derive-Secret and the traffic key expansion.
	chHash := sha256.Sum256(ch)
	cE := deriveSecret(early, "c e traffic", chHash[:])
	wantBytes(t, "c e traffic", cE, v["c_e_traffic"])
	k, iv := trafficKeys(cE)
	wantBytes(t, "early key", k, v["early_key"])
	wantBytes(t, "early iv", iv, v["early_iv"])
	typ, data := openRecord(t, cE, 0, v["early_data_record"])
	if typ != recordApplicationData {
		t.Errorf("early data record type %d", typ)
	}
	wantBytes(t, "early data", data, v["early_data"])

	// ServerHello and the handshake secrets.
	shRec := v["server_hello_record"]
	sh, err := parseServerHello(shRec[headerLen:])
	if err != nil {
		t.Fatalf("parsing the trace's ServerHello: %v", err)
	}
	if sh.isHRR || !sh.hasPSK || sh.pskIndex != 0 || sh.keyShare.group != X25519 || sh.suite != uint16(TLS_AES_128_GCM_SHA256) {
		t.Fatalf("ServerHello parsed as %+v", sh)
	}
	wantBytes(t, "derived", deriveSecret(early, "derived", emptyHash[:]), v["derived_early"])
	cPriv, err := ecdh.X25519().NewPrivateKey(v["client_x25519_priv"])
	if err != nil {
		t.Fatal(err)
	}
	wantBytes(t, "client public key", cPriv.PublicKey().Bytes(), v["client_x25519_pub"])
	shared, err := sharedSecret(cPriv, sh.keyShare.data)
	if err != nil {
		t.Fatal(err)
	}
	sPriv, _ := ecdh.X25519().NewPrivateKey(v["server_x25519_priv"])
	sharedS, _ := sharedSecret(sPriv, v["client_x25519_pub"])
	wantBytes(t, "shared secret seen by both sides", shared, sharedS)
	hs := handshakeSecret(early, shared)
	wantBytes(t, "handshake secret", hs, v["handshake_secret"])

	tr := newTranscript()
	tr.add(ch)
	tr.add(shRec[headerLen:])
	h := tr.sum()
	cHS := deriveSecret(hs, "c hs traffic", h)
	sHS := deriveSecret(hs, "s hs traffic", h)
	wantBytes(t, "c hs traffic", cHS, v["c_hs_traffic"])
	wantBytes(t, "s hs traffic", sHS, v["s_hs_traffic"])
	k, iv = trafficKeys(sHS)
	wantBytes(t, "server handshake key", k, v["server_hs_key"])
	wantBytes(t, "server handshake iv", iv, v["server_hs_iv"])
	k, iv = trafficKeys(cHS)
	wantBytes(t, "client handshake key", k, v["client_hs_key"])
	wantBytes(t, "client handshake iv", iv, v["client_hs_iv"])

	// The server's protected flight: EncryptedExtensions and Finished.
	typ, flight := openRecord(t, sHS, 0, v["server_hs_record"])
	if typ != recordHandshake || len(flight) < 4 {
		t.Fatalf("server flight: type %d, %d bytes", typ, len(flight))
	}
	eeLen := 4 + (int(flight[1])<<16 | int(flight[2])<<8 | int(flight[3]))
	eeMsg, finMsg := flight[:eeLen], flight[eeLen:]
	ee, err := parseEncryptedExtensions(eeMsg)
	if err != nil || !ee.earlyData {
		t.Fatalf("EncryptedExtensions: %+v, %v", ee, err)
	}
	tr.add(eeMsg)
	verify, err := parseFinished(finMsg)
	if err != nil {
		t.Fatal(err)
	}
	wantBytes(t, "server Finished", verify, finishedMAC(sHS, tr.sum()))
	tr.add(finMsg)
	resealed := sealRecordWith(t, sHS, 0, recordHandshake, flight)
	wantBytes(t, "server flight resealed", resealed, v["server_hs_record"])

	master := masterSecret(hs)
	h = tr.sum()
	cAP := deriveSecret(master, "c ap traffic", h)
	sAP := deriveSecret(master, "s ap traffic", h)
	wantBytes(t, "c ap traffic", cAP, v["c_ap_traffic"])
	wantBytes(t, "s ap traffic", sAP, v["s_ap_traffic"])
	k, iv = trafficKeys(sAP)
	wantBytes(t, "server application key", k, v["server_ap_key"])
	wantBytes(t, "server application iv", iv, v["server_ap_iv"])
	k, iv = trafficKeys(cAP)
	wantBytes(t, "client application key", k, v["client_ap_key"])
	wantBytes(t, "client application iv", iv, v["client_ap_iv"])

	// EndOfEarlyData (early keys, second record) and the client Finished.
	typ, eoed := openRecord(t, cE, 1, v["eoed_record"])
	if typ != recordHandshake || !bytes.Equal(eoed, []byte{typeEndOfEarlyData, 0, 0, 0}) {
		t.Fatalf("EndOfEarlyData: type %d, %x", typ, eoed)
	}
	tr.add(eoed)
	typ, cFin := openRecord(t, cHS, 0, v["client_fin_record"])
	if typ != recordHandshake {
		t.Fatalf("client Finished record type %d", typ)
	}
	verify, err = parseFinished(cFin)
	if err != nil {
		t.Fatal(err)
	}
	wantBytes(t, "client Finished", verify, finishedMAC(cHS, tr.sum()))

	// Application data both ways (50 bytes 00..31), then close_notify.
	appData := make([]byte, 50)
	for i := range appData {
		appData[i] = byte(i)
	}
	_, got := openRecord(t, cAP, 0, v["client_ap_record"])
	wantBytes(t, "client application data", got, appData)
	_, got = openRecord(t, sAP, 0, v["server_ap_record"])
	wantBytes(t, "server application data", got, appData)
	wantBytes(t, "server application record resealed", sealRecordWith(t, sAP, 0, recordApplicationData, appData), v["server_ap_record"])
	typ, got = openRecord(t, cAP, 1, v["client_alert_record"])
	if typ != recordAlert || !bytes.Equal(got, []byte{1, 0}) {
		t.Errorf("client alert: type %d, %x", typ, got)
	}
	typ, got = openRecord(t, sAP, 1, v["server_alert_record"])
	if typ != recordAlert || !bytes.Equal(got, []byte{1, 0}) {
		t.Errorf("server alert: type %d, %x", typ, got)
	}
}

// TestBinderLabels checks that external PSKs use "ext binder", not the
// resumption label of the RFC 8448 trace.
func TestBinderLabels(t *testing.T) {
	early := earlySecret([]byte("some key"))
	ext, res := binderKey(early, true), binderKey(early, false)
	if bytes.Equal(ext, res) {
		t.Fatal("external and resumption binder keys are equal")
	}
	wantBytes(t, "ext binder", ext, expandLabel(early, "ext binder", emptyHash[:], hashLen))
}

// TestKeyUpdateSecret checks the "traffic upd" label against a value
// derived by hand from HKDF-Expand-Label's definition.
func TestNextTrafficSecret(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, hashLen)
	info := []byte{0, 32, byte(len("tls13 traffic upd"))}
	info = append(info, "tls13 traffic upd"...)
	info = append(info, 0)
	want := hkdfExpandForTest(secret, info, hashLen)
	wantBytes(t, "traffic upd", nextTrafficSecret(secret), want)
}

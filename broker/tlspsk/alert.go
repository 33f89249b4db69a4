package tlspsk

import "strconv"

// Alert is a TLS alert description (RFC 8446 section 6).
type Alert uint8

// Alert descriptions this package sends or is likely to receive.
const (
	AlertCloseNotify           Alert = 0
	AlertUnexpectedMessage     Alert = 10
	AlertBadRecordMAC          Alert = 20
	AlertRecordOverflow        Alert = 22
	AlertHandshakeFailure      Alert = 40
	AlertBadCertificate        Alert = 42
	AlertCertificateUnknown    Alert = 46
	AlertIllegalParameter      Alert = 47
	AlertUnknownCA             Alert = 48
	AlertAccessDenied          Alert = 49
	AlertDecodeError           Alert = 50
	AlertDecryptError          Alert = 51
	AlertProtocolVersion       Alert = 70
	AlertInsufficientSecurity  Alert = 71
	AlertInternalError         Alert = 80
	AlertInappropriateFallback Alert = 86
	AlertUserCanceled          Alert = 90
	AlertMissingExtension      Alert = 109
	AlertUnsupportedExtension  Alert = 110
	AlertUnrecognizedName      Alert = 112
	AlertUnknownPSKIdentity    Alert = 115
	AlertCertificateRequired   Alert = 116
	AlertNoApplicationProtocol Alert = 120
)

var alertNames = [...]struct {
	a    Alert
	name string
}{
	{AlertCloseNotify, "close_notify"},
	{AlertUnexpectedMessage, "unexpected_message"},
	{AlertBadRecordMAC, "bad_record_mac"},
	{AlertRecordOverflow, "record_overflow"},
	{AlertHandshakeFailure, "handshake_failure"},
	{AlertBadCertificate, "bad_certificate"},
	{AlertCertificateUnknown, "certificate_unknown"},
	{AlertIllegalParameter, "illegal_parameter"},
	{AlertUnknownCA, "unknown_ca"},
	{AlertAccessDenied, "access_denied"},
	{AlertDecodeError, "decode_error"},
	{AlertDecryptError, "decrypt_error"},
	{AlertProtocolVersion, "protocol_version"},
	{AlertInsufficientSecurity, "insufficient_security"},
	{AlertInternalError, "internal_error"},
	{AlertInappropriateFallback, "inappropriate_fallback"},
	{AlertUserCanceled, "user_canceled"},
	{AlertMissingExtension, "missing_extension"},
	{AlertUnsupportedExtension, "unsupported_extension"},
	{AlertUnrecognizedName, "unrecognized_name"},
	{AlertUnknownPSKIdentity, "unknown_psk_identity"},
	{AlertCertificateRequired, "certificate_required"},
	{AlertNoApplicationProtocol, "no_application_protocol"},
}

// String returns the RFC 8446 name of the alert, or its number.
func (a Alert) String() string {
	for _, n := range alertNames {
		if n.a == a {
			return n.name
		}
	}
	return "alert(" + strconv.Itoa(int(a)) + ")"
}

// level is the alert level byte. TLS 1.3 ignores it on receipt, but peers
// still expect warning(1) for close_notify and user_canceled.
func (a Alert) level() byte {
	if a == AlertCloseNotify || a == AlertUserCanceled {
		return 1
	}
	return 2
}

// AlertError reports a fatal alert received from the peer. The connection
// is unusable afterwards.
type AlertError struct {
	Alert Alert
}

func (e *AlertError) Error() string {
	return "tlspsk: peer sent alert " + e.Alert.String() + " (" + strconv.Itoa(int(e.Alert)) + ")"
}

// localError is a failure detected on this side. It carries the alert that
// was sent to the peer and wraps one of the package's sentinel errors.
type localError struct {
	alert  Alert
	err    error
	detail string
	stage  string // the handshake stage that found it, if any
}

func (e *localError) Error() string {
	s := "tlspsk: "
	if e.stage != "" {
		s += e.stage + ": "
	}
	s += e.err.Error()
	if e.detail != "" {
		s += ": " + e.detail
	}
	return s + " (sent " + e.alert.String() + ")"
}

func (e *localError) Unwrap() error { return e.err }

// fail builds the error for a local failure: err is the sentinel, detail
// says where it was found.
func fail(a Alert, err error, detail string) *localError {
	return &localError{alert: a, err: err, detail: detail}
}

// SentAlert reports the alert this side sent to the peer because of err,
// when err is a local protocol failure returned by this package.
func SentAlert(err error) (Alert, bool) {
	for err != nil {
		if le, ok := err.(*localError); ok {
			return le.alert, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return 0, false
		}
		err = u.Unwrap()
	}
	return 0, false
}

func itoa(n int) string { return strconv.Itoa(n) }

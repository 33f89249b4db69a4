// Package target is the model of an MQTT server under test and the
// registry of target kinds. A Target is named by one string whose scheme
// picks its kind ("inproc", "tcp", later boards); each kind lives in its
// own package and registers a ParseFunc from its init function, reading
// its query options through Options so that every kind spells values and
// refuses unknown options alike.
//
// A target declares what it can do (Capabilities: limits, features,
// credentials, its TLS-PSK endpoint and alerts, the peer behind it and
// that peer's known deviations); a test states what it needs (Needs,
// PSKNeeds) and Missing, SkipReason and DeviationReason say, in words fit
// for a skip message, why it cannot run there.
//
// Limits: the package describes and decides; it starts nothing and talks
// to no network. Whatever a target declares is trusted.
package target

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker"
)

func TestParseACL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the grants as "user access filter" lines, or the error
	}{
		{"anonymous and users", "# comment\ntopic read pub/#\n\nuser alice\ntopic readwrite a/#\ntopic write alerts\r\nuser bob\ntopic b/+/x\n",
			"'' 1 pub/#; alice 3 a/#; alice 2 alerts; bob 3 b/+/x"},
		{"tabs and spaces in the filter", "topic\tread  with space/x \n", "'' 1 with space/x"},
		{"access word alone is a filter", "topic readx\n", "'' 3 readx"},
		{"indented comment", "  # note\ntopic a\n", "'' 3 a"},
		{"deny", "topic read #\ntopic deny a/#\n", "'' 1 #; '' 4 a/#"},
		{"deny in a user section", "user alice\ntopic deny a b\n", "alice 4 a b"},
		{"pattern", "topic a\npattern write s/%u\n", "'' 3 a; pattern 2 s/%u"},
		{"pattern ignores the user section", "user alice\npattern deny c/%c/#\npattern c/%c/%u\ntopic x\n",
			"pattern 4 c/%c/#; pattern 3 c/%c/%u; alice 3 x"},
		{"pattern without access", "pattern\ttelemetry/%c\n", "pattern 3 telemetry/%c"},
		{"substitution inside a level", "topic a\npattern read s/x%u\n", `line 2: pattern: topic filter "s/x%u": level "x%u": %c and %u must be the whole level`},
		{"substitution prefix", "pattern read s/%cc/#\n", `line 1: pattern: topic filter "s/%cc/#": level "%cc"`},
		{"literal percent in a topic line", "topic read s/x%u\n", "'' 1 s/x%u"},
		{"deny without filter", "topic read a\ntopic deny\n", "line 2: topic: no topic filter"},
		{"pattern without filter", "pattern\n", "line 1: pattern: no topic filter"},
		{"bad pattern filter", "\n\npattern deny a/#/%c\n", `line 3: pattern: topic filter "a/#/%c"`},
		{"unknown keyword", "topics a\n", `line 1: unknown keyword "topics", want user, topic or pattern`},
		{"user without name", "user\n", "line 1: user without a name"},
		{"access without filter", "topic read\n", "line 1: topic: no topic filter"},
		{"topic without anything", "topic\n", "line 1: topic: no topic filter"},
		{"bad filter", "topic read a/#/b\n", `line 1: topic: topic filter "a/#/b"`},
		{"empty", "# nothing\nuser alice\n", "no topic or pattern lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acl, err := parseACL(strings.NewReader(tt.in))
			var got string
			if err != nil {
				got = err.Error()
			} else {
				var gs []string
				for _, g := range acl {
					u := g.User
					switch {
					case g.Pattern:
						u = "pattern"
					case u == "":
						u = "''"
					}
					gs = append(gs, fmt.Sprintf("%s %d %s", u, g.Access, g.Filter))
				}
				got = strings.Join(gs, "; ")
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckACLUsers(t *testing.T) {
	users := []broker.User{{Name: "alice", Password: "x"}}
	acl := broker.ACL{{Filter: "a"}, {User: "alice", Filter: "b"}}
	if err := checkACLUsers(acl, users); err != nil {
		t.Errorf("known user: %v", err)
	}
	if err := checkACLUsers(broker.ACL{{Filter: "a"}}, nil); err != nil {
		t.Errorf("anonymous grants without users: %v", err)
	}
	if err := checkACLUsers(acl, nil); err == nil || !strings.Contains(err.Error(), "need -users") {
		t.Errorf("user section without users: %v", err)
	}
	if err := checkACLUsers(broker.ACL{{User: "bob", Filter: "a"}}, users); err == nil || !strings.Contains(err.Error(), `"bob" is not in the users file`) {
		t.Errorf("unknown user: %v", err)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunRefusesBadACL(t *testing.T) {
	users := writeFile(t, "users.txt", "alice:secret\n")
	bad := writeFile(t, "acl", "topic a\npattern read a/b%c\n")
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"missing file", []string{"-acl", filepath.Join(t.TempDir(), "none")}, "acl file: open"},
		{"bad pattern line", []string{"-acl", bad}, "acl file " + bad + ": line 2: pattern: "},
		{"user without users file", []string{"-acl", writeFile(t, "acl", "user alice\ntopic a\n")}, "user sections need -users"},
		{"unknown user", []string{"-users", users, "-acl", writeFile(t, "acl", "user bob\ntopic a\n")}, `user "bob" is not in the users file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			args := append([]string{"-listen", "127.0.0.1:0"}, tt.args...)
			if code := run(t.Context(), args, io.Discard, &stderr); code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.msg)
			}
		})
	}
}

func TestRunACL(t *testing.T) {
	users := writeFile(t, "users.txt", "alice:secret\nbob:hunter2\n")
	acl := writeFile(t, "acl.txt", "user alice\ntopic read news/#\ntopic readwrite chat/#\nuser bob\ntopic write news/#\n")
	line := startLine(t, "-users", users, "-acl", acl)
	if !strings.Contains(line, "2 users, ACL of 3 rules") {
		t.Errorf("startup line %q does not count the grants", line)
	}
	addr := listening.FindStringSubmatch(line)[1]
	alice := dial(t, addr)
	mustConnect(t, alice, client.ConnectOptions{ClientID: "alice", CleanSession: true, Username: "alice", Password: "secret"})
	ack, err := alice.Subscribe(1, 1, ioWait, "news/#", "#")
	check(t, err)
	if string(ack.ReturnCodes) != "\x01\x80" {
		t.Fatalf("SUBACK codes %v, want 1 and 0x80", ack.ReturnCodes)
	}
	// alice may only read news: her PUBLISH there is acknowledged and
	// dropped, so the next thing she gets is bob's message.
	check(t, alice.Publish("news/a", []byte("from alice"), 1, false, 2))
	check(t, alice.ExpectPuback(2, ioWait))
	bob := dial(t, addr)
	mustConnect(t, bob, client.ConnectOptions{ClientID: "bob", CleanSession: true, Username: "bob", Password: "hunter2"})
	check(t, bob.Publish("news/b", []byte("from bob"), 1, false, 3))
	check(t, bob.ExpectPuback(3, ioWait))
	p, err := alice.ExpectPublish(ioWait)
	check(t, err)
	if string(p.Payload) != "from bob" {
		t.Fatalf("alice got %q, want bob's message", p.Payload)
	}
}

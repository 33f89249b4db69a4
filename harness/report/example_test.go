package report_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/gatomqtt/gatomqtt/fixtures"
	"github.com/gatomqtt/gatomqtt/harness/report"
)

// catalogue returns the statements of ids from the embedded catalogue, so
// the examples stay short; a real report uses fixtures.Statements().
func catalogue(ids ...string) []fixtures.Statement {
	var out []fixtures.Statement
	for _, id := range ids {
		s, _ := fixtures.Lookup(id)
		out = append(out, s)
	}
	return out
}

// Two specs check the second-CONNECT statement, one of them failing, so
// the statement counts as failed; the keep-alive spec was skipped for a
// known deviation; nothing checks PINGREQ.
func ExampleCompute() {
	rows := []report.Row{
		{Suite: "connect", Target: "mosquitto", Statement: "MQTT-3.1.0-2", Outcome: report.Passed, Spec: "closes on a second CONNECT"},
		{Suite: "lwt", Target: "mosquitto", Statement: "MQTT-3.1.0-2", Outcome: report.Failed, Spec: "publishes the will", Reason: "no will"},
		{Suite: "connect", Target: "mosquitto", Statement: "MQTT-3.1.2-24", Outcome: report.Deviation, Spec: "keep alive",
			Reason: "known deviation of mosquitto: closes late"},
	}
	c := report.Compute("mosquitto", rows, catalogue("MQTT-3.1.0-2", "MQTT-3.1.2-24", "MQTT-3.12.4-1"))
	fmt.Println(c.Summary())
	fmt.Println("failed:", c.IDs(report.Failed), "tally:", *c.Checked["MQTT-3.1.0-2"])
	fmt.Println("not covered:", c.Uncovered[0].ID)
	// Output:
	// coverage connect+lwt on mosquitto: 2 statements checked (0 passed, 1 failed, 1 known deviations, 0 skipped), 1 checkable server-side statements not covered
	// failed: [MQTT-3.1.0-2] tally: {2 1 1 0 0}
	// not covered: MQTT-3.12.4-1
}

// The rows files of several suites, merged per target, make the table
// cmd/gatomqtt-coverage prints. The client-only statement is left out: no
// spec checks it and no spec could.
func ExampleWriteTable() {
	tsv := "suite\ttarget\tstatement\toutcome\tspec\treason\n" +
		"connect\tinproc\tMQTT-3.12.4-1\tpassed\tanswers PINGREQ\t\n" +
		"connect\tmosquitto\tMQTT-3.12.4-1\tpassed\tanswers PINGREQ\t\n" +
		"retained\tinproc\tMQTT-3.3.1-10\tpassed\tdeletes on empty\t\n" +
		"retained\tmosquitto\tMQTT-3.3.1-10\tskipped\tdeletes on empty\ttarget keeps no retained messages\n"
	rows, err := report.ReadTSV(strings.NewReader(tsv))
	if err != nil {
		fmt.Println(err)
		return
	}
	cat := catalogue("MQTT-3.1.0-1", "MQTT-3.3.1-10", "MQTT-3.12.4-1")
	if err := report.WriteTable(os.Stdout, report.Merge(rows, cat), cat, false); err != nil {
		fmt.Println(err)
	}
	// Output:
	// statement      binds   inproc     mosquitto
	// MQTT-3.3.1-10  server  passed(1)  skipped(1)
	// MQTT-3.12.4-1  server  passed(1)  passed(1)
	//
	// coverage connect+retained on inproc: 2 statements checked (2 passed, 0 failed, 0 known deviations, 0 skipped), 0 checkable server-side statements not covered
	// coverage connect+retained on mosquitto: 2 statements checked (1 passed, 0 failed, 0 known deviations, 1 skipped), 0 checkable server-side statements not covered
}

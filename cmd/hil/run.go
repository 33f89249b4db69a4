package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/harness/report"
	"github.com/gatomqtt/gatomqtt/harness/target"

	// The board schemes (serial://, rfc2217://, twin:) parse here as in
	// the suites.
	_ "github.com/gatomqtt/gatomqtt/boards/boardtarget"
)

// A command is a program to run: the suites' ginkgo.
type command struct {
	Dir  string   // working directory
	Env  []string // added to this process's environment
	Args []string // Args[0] is the program
}

// runCommand runs c, its output going to stdout and stderr; tests replace
// it to see the command line without running ginkgo.
var runCommand = func(ctx context.Context, c command, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = c.Dir, stdout, stderr
	cmd.Env = append(os.Environ(), c.Env...)
	// On interrupt ginkgo is asked to stop as a terminal's Ctrl-C asks,
	// so that it stops the targets and writes its reports.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	return cmd.Run()
}

// flashTarget flashes a board through the firmware= option of target:
// starting the target writes the image, boots it and checks the hello
// reports the image's build id. Tests replace it.
var flashTarget = func(ctx context.Context, s string) error {
	t, err := target.Parse(s)
	if err != nil {
		return err
	}
	if err := t.Start(ctx); err != nil {
		t.Stop()
		return err
	}
	return t.Stop()
}

// Report file names hil run asks ginkgo for, in the reports folder.
const (
	junitName = "junit.xml"
	jsonName  = "report.json"
)

// runRun is "hil run": flash a board, run the suites against it, and sum
// up the reports.
func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	began := time.Now()
	fs := flag.NewFlagSet("hil run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetStr := fs.String("target", "", "the `target` string, as the suites take it (twin:pico, serial:///dev/ttyACM0?board=pico, ...)")
	portName := fs.String("port", "", "instead of -target: serial `device`, auto, or rfc2217://host:port of the board")
	board := fs.String("board", "auto", "with -port: pico, esp32c3, or auto (from the local port's USB identity)")
	image := fs.String("firmware", "", "firmware `image` to flash first, through the target's firmware= option")
	suites := fs.String("suites", "suites", "comma-separated suite `folders`, relative to the module root")
	reports := fs.String("reports", "", "`folder` for the reports (default: reports/hil-<time> in the module root)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: hil run -target T [-firmware image] [-suites dirs] [-reports dir] [-- ginkgo flags]
       hil run -port <device|auto|rfc2217://host:port> [-board name|auto] [-firmware image] [...]`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	extra := fs.Args()
	if len(extra) > 0 && args[len(args)-len(extra)-1] != "--" {
		fmt.Fprintf(stderr, "hil run: unexpected argument %q (ginkgo flags go after --)\n", extra[0])
		return exitUsage
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(stderr, "hil run: %v\n", err)
		return exitFail
	}
	p, err := plan(*targetStr, *portName, *board, *image, *suites, *reports, root, began, extra)
	if err != nil {
		fmt.Fprintf(stderr, "hil run: %v\n", err)
		return exitUsage
	}
	if err := os.MkdirAll(p.reports, 0o755); err != nil {
		fmt.Fprintf(stderr, "hil run: %v\n", err)
		return exitFail
	}
	if p.flash != "" {
		fmt.Fprintf(stdout, "hil run: flashing %s through %s\n", *image, redact(p.flash))
		if err := flashTarget(ctx, p.flash); err != nil {
			fmt.Fprintf(stderr, "hil run: flashing failed, no suite was run: %v\n", err)
			return exitFail
		}
	}
	fmt.Fprintf(stdout, "hil run: %s\n", strings.Join(redactArgs(p.cmd.Args), " "))
	runErr := runCommand(ctx, p.cmd, stdout, stderr)
	return summarize(p.reports, began, runErr, stdout, stderr)
}

// A runPlan is what hil run does: the target to flash through ("" for
// none) and the ginkgo command.
type runPlan struct {
	flash   string
	cmd     command
	reports string
}

// plan builds the target strings and the ginkgo command from the flags.
func plan(targetStr, portName, board, image, suites, reports, root string, began time.Time, extra []string) (runPlan, error) {
	var p runPlan
	switch {
	case targetStr == "" && portName == "":
		return p, errors.New("give -target T, or -port P with -board B")
	case targetStr != "" && portName != "":
		return p, errors.New("give -target or -port, not both")
	}
	if portName != "" {
		q := url.Values{"board": {board}}
		if a, ok := strings.CutPrefix(portName, "rfc2217://"); ok {
			targetStr = "rfc2217://" + a + "?" + q.Encode()
		} else {
			targetStr = "serial://" + portName + "?" + q.Encode()
		}
	}
	u, err := url.Parse(targetStr)
	if err != nil {
		return p, fmt.Errorf("-target %q: %w", targetStr, err)
	}
	if u.Query().Has("firmware") && image != "" {
		return p, errors.New("the target names firmware= already: leave -firmware out, or firmware= out of the target")
	}
	if given := u.Query().Get("firmware"); given != "" && !filepath.IsAbs(given) {
		image, targetStr = given, withoutOption(targetStr, "firmware")
	}
	if image != "" {
		// The suites run in their own folders: the image is named from
		// anywhere.
		abs, err := filepath.Abs(image)
		if err != nil {
			return p, fmt.Errorf("-firmware: %w", err)
		}
		targetStr = withOption(targetStr, "firmware", abs)
	}
	if u.Query().Has("firmware") || image != "" {
		// A board keeps what was flashed: it is flashed once, here, and
		// every suite then runs on it. A twin starts afresh in every
		// suite, so every suite flashes it.
		if u.Scheme == "serial" || u.Scheme == "rfc2217" {
			p.flash = targetStr
			targetStr = withoutOption(targetStr, "firmware")
		}
	}
	if reports == "" {
		reports = filepath.Join(root, "reports", "hil-"+began.Format("20060102-150405"))
	}
	if p.reports, err = filepath.Abs(reports); err != nil {
		return p, fmt.Errorf("-reports: %w", err)
	}
	args := []string{"go", "tool", "ginkgo", "-r"}
	// One board, one owner: a port serves one test process at a time.
	if u.Scheme != "serial" && u.Scheme != "rfc2217" {
		args = append(args, "-p")
	}
	args = append(args, "--keep-going", "--junit-report="+junitName, "--json-report="+jsonName, "--output-dir="+p.reports)
	args = append(args, extra...)
	var dirs []string
	for _, d := range strings.Split(suites, ",") {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		if filepath.IsAbs(d) {
			rel, err := filepath.Rel(root, d)
			if err != nil || strings.HasPrefix(rel, "..") {
				return p, fmt.Errorf("-suites: %s is not in the module at %s", d, root)
			}
			d = rel
		}
		if st, err := os.Stat(filepath.Join(root, d)); err != nil || !st.IsDir() {
			return p, fmt.Errorf("-suites: %s is not a folder of the module at %s", d, root)
		}
		dirs = append(dirs, "./"+filepath.ToSlash(filepath.Clean(d)))
	}
	if len(dirs) == 0 {
		return p, errors.New("-suites names no folder")
	}
	p.cmd = command{
		Dir:  root,
		Env:  []string{report.EnvDir + "=" + p.reports},
		Args: append(append(args, dirs...), "--", "--target="+targetStr),
	}
	return p, nil
}

// withOption adds key=value to the query of target string s.
func withOption(s, key, value string) string {
	sep := "?"
	if strings.Contains(s, "?") {
		sep = "&"
	}
	return s + sep + key + "=" + queryValue.Replace(value)
}

// queryValue escapes what a query value cannot hold, and no more, so that
// a path stays readable in the command line printed.
var queryValue = strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "%20", ";", "%3B")

// withoutOption takes key out of the query of target string s.
func withoutOption(s, key string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return s
	}
	q.Del(key)
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// redact hides the secrets of a target string, for printing.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return target.Redact(u)
}

// redactArgs is args with the target string's secrets hidden.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if t, ok := strings.CutPrefix(a, "--target="); ok {
			a = "--target=" + redact(t)
		}
		out[i] = a
	}
	return out
}

// moduleRoot is the folder of the go.mod above the working directory,
// where the suites are run from.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s: run hil run inside the gatomqtt module, where the suites are", wd)
		}
		d = parent
	}
}

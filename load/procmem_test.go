package load

import (
	"os"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Memory
		wantErr string
	}{
		{
			name: "both lines",
			text: "Name:\tmosquitto\nVmPeak:\t  9000 kB\nVmHWM:\t    6144 kB\nVmRSS:\t    5120 kB\nThreads:\t1\n",
			want: Memory{RSS: 5120 * 1024, Peak: 6144 * 1024},
		},
		{name: "kernel thread", text: "Name:\tkworker\nThreads:\t1\n", wantErr: "no VmRSS"},
		{name: "bad unit", text: "VmHWM:\t1 MB\nVmRSS:\t1 kB\n", wantErr: "unexpected VmHWM"},
		{name: "bad number", text: "VmHWM:\tx kB\nVmRSS:\t1 kB\n", wantErr: "unexpected VmHWM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus([]byte(tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseStatus = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestReadMemoryOfThisProcess(t *testing.T) {
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if m.RSS == 0 || m.Peak < m.RSS {
		t.Fatalf("ReadMemory(self) = %+v, want 0 < RSS <= Peak", m)
	}
}

func TestReadMemoryOfMissingProcess(t *testing.T) {
	if _, err := ReadMemory(-1); err == nil {
		t.Fatal("ReadMemory(-1) succeeded")
	}
}

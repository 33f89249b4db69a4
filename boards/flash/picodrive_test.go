package flash

import (
	"slices"
	"testing"
)

func TestMountPoints(t *testing.T) {
	const mounts = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/sdb1 /media/ana/RPI-RP2 vfat rw,nosuid,nodev,relatime,uid=1000,gid=1000,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,showexec,utf8,flush,errors=remount-ro 0 0
/dev/sdc1 /mnt/pico\0402/RPI-RP2 vfat rw,relatime 0 0
/dev/sdd1 /mnt/tab\011and\134back vfat rw 0 0
/dev/sde1 /mnt/odd\09 vfat rw 0 0

short
`
	want := []string{"/sys", "/", "/media/ana/RPI-RP2", "/mnt/pico 2/RPI-RP2", "/mnt/tab\tand\\back", `/mnt/odd\09`}
	if got := mountPoints(mounts); !slices.Equal(got, want) {
		t.Errorf("mountPoints:\n got %q\nwant %q", got, want)
	}
}

func TestDriveCandidates(t *testing.T) {
	t.Setenv("USER", "ana")
	got := driveCandidates(PicoOptions{})
	for _, want := range []string{"/media/ana/RPI-RP2", "/run/media/ana/RPI-RP2", "/media/RPI-RP2", "/mnt/RPI-RP2", "/Volumes/RPI-RP2"} {
		if !slices.Contains(got, want) {
			t.Errorf("candidates %q lack %s", got, want)
		}
	}
	if got := driveCandidates(PicoOptions{Drives: []string{"/x"}}); !slices.Equal(got, []string{"/x"}) {
		t.Errorf("with Drives: %q", got)
	}
}

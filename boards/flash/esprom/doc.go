// Package esprom flashes an ESP32-C3 through its ROM serial loader, natively
// in Go, and emulates that loader for tests and board twins.
//
// The host side is Loader: SLIP-framed requests over any io.ReadWriter (a
// serial port with the chip held in download mode), responses matched on
// the echoed command as esptool does, every wait bounded by Options.
// Loader.Sync, ChipID, Attach, SetParams, Flash (plain or zlib-compressed),
// MD5 and Finish are the steps of `esptool --no-stub write_flash`.
//
// Limits: this is the ROM loader only. No stub loader is uploaded, so
// there is no CHANGE_BAUDRATE, erase_flash, read_flash or encrypted
// writing, and flashing runs at the ROM's speed. Only the ESP32-C3 is
// recognised (chip id 5; ROM status of 4 bytes). Entering download mode
// (DTR/RTS on the port) and the hard reset afterwards are the caller's
// job; see boards-and-flashing.md.
//
// The chip side is Emulator: SYNC, READ_REG of the chip magic and eFuse
// MAC, GET_SECURITY_INFO, SPI_ATTACH, SPI_SET_PARAMS, FLASH_* and
// FLASH_DEFL_* into an emulated 4 MiB NOR flash, SPI_FLASH_MD5, and the
// ROM's failure answer for anything else. It does not emulate RAM
// download (MEM_*), WRITE_REG, baud rate changes, flash encryption,
// secure boot, timing, or the boot log the ROM prints before it syncs;
// what it writes to flash is kept (Emulator.Flash, Regions) and FLASH_END
// is reported (EmulatorOptions.OnEnd) so a twin can boot the image.
package esprom

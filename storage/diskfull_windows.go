package storage

import "golang.org/x/sys/windows"

func init() {
	noRoom = append(noRoom, windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL)
}

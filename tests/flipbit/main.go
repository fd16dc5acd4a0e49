// Command flipbit damages a database the way a failing disk does, for the screenshots of
// File → Check database… and for trying `epicevents check` and `repair` by hand: it flips one
// bit in the middle of the stored value of the n-th key (from 0) of a bucket, and prints the
// key in hexadecimal. The database must not be in use.
//
//	go run ./tests/flipbit ~/.local/share/epicevents/epicevents.db clients 1
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
)

func main() {
	if len(os.Args) < 3 || len(os.Args) > 4 {
		fmt.Fprintln(os.Stderr, "usage: flipbit FILE BUCKET [N]")
		os.Exit(2)
	}
	n := 0
	if len(os.Args) == 4 {
		var err error
		if n, err = strconv.Atoi(os.Args[3]); err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "flipbit: N must be a whole number")
			os.Exit(2)
		}
	}
	if err := flip(os.Args[1], os.Args[2], n); err != nil {
		fmt.Fprintln(os.Stderr, "flipbit:", err)
		os.Exit(1)
	}
}

func flip(path, bucket string, n int) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return fmt.Errorf("no bucket %q", bucket)
		}
		c := b.Cursor()
		k, v := c.First()
		for i := 0; i < n && k != nil; i++ {
			k, v = c.Next()
		}
		if k == nil || v == nil {
			return errors.New("no such value")
		}
		w := append([]byte(nil), v...)
		w[len(w)/2] ^= 0x01
		fmt.Printf("%x\n", k)
		return b.Put(k, w)
	})
}

// Command pecheck checks a Windows executable of Epic Events CRM as "make windows" packages it:
// a 64-bit PE for the GUI subsystem (no console window behind the application) whose resource
// section holds the icon, the manifest and the version information. It prints what it found
// and exits 1 when something is missing or differs.
//
//	go run ./tests/pecheck -version 1.0.0.1 dist/epicevents.exe
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	version := flag.String("version", "", "the file version the executable must carry (a.b.c.d); empty: any")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pecheck [-version a.b.c.d] FILE.exe")
		os.Exit(2)
	}
	rep, err := inspect(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", err)
		os.Exit(1)
	}
	fmt.Print(rep)
	if err := rep.check(*version); err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", flag.Arg(0)+":", err)
		os.Exit(1)
	}
}

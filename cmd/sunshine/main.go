// Command sunshine is the whole system: API, web console, jobs and command-line tools.
package main

import (
	"os"

	"sunshine/internal/app"
)

func main() {
	os.Exit(app.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

package web

import "os"

var dirFS = os.DirFS(".")

package app

import _ "embed"

// openAPI is the API description served at /api/openapi.json; a test keeps it equal to the
// router's routes.
//
//go:embed openapi.json
var openAPI []byte

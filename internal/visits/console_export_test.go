package visits

// What the external tests of the console side (package visits_test, which may import demo)
// use of the package's internals.
var (
	ParseOverdueCursor = parseOverdueCursor
	OverduePage        = overduePage
)

// CheckEdit normalizes and validates a console edit as Edit does before touching the database.
func (in *VisitEdit) CheckEdit() error {
	in.normalize()
	return in.validate()
}

// CheckLocation validates a location input as SetLocation does.
func (in LocationInput) CheckLocation() error { return in.validate() }

package visits

// What the external tests of the field side (package visits_test, which may import demo) use
// of the package's internals.
var (
	GoodUpload    = goodUpload
	TestNow       = testNow
	EncJPEG       = encJPEG
	Scene         = scene
	GetFieldVisit = getFieldVisit
	Fptr          = fptr
)

const VisitsPerHousehold = visitsPerHousehold

package app

// partnerTargets aims every console route of the social forces' registers at county's objects.
func (h *harness) partnerTargets(county string) map[string]target {
	return map[string]target{}
}

package core

// HashForTest exposes the password hasher to the external tests, at any parameters.
func HashForTest(pw string, p HashParams) string {
	h, err := hashPassword(pw, p)
	if err != nil {
		panic(err)
	}
	return h
}

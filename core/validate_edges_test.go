package core

import (
	"strings"
	"testing"
)

// The limits of validate.go at their edges: each test here kills a mutant (a comparison moved by
// one, a condition flipped) that the other tests let live (make mutate, gremlins).

func TestValidateEmail_Lengths(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	longest := local64 + "@" + domain // 254 characters, a 64-character local part
	if len(longest) != MaxEmailLen {
		t.Fatalf("test email has %d characters, want %d", len(longest), MaxEmailLen)
	}
	t.Run("OK", func(t *testing.T) {
		if got, err := ValidateEmail("email", longest); err != nil || got != longest {
			t.Fatalf("ValidateEmail(254 characters, local part of 64) = %q, %v", got, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := ValidateEmail("email", local64+"@"+strings.Replace(domain, "d.com", "dd.com", 1))
		if FieldOf(err) != "email" || !strings.Contains(err.Error(), "at most 254 characters") {
			t.Errorf("255 characters: %v", err)
		}
		_, err = ValidateEmail("email", local64+"a@example.com")
		if FieldOf(err) != "email" || !strings.Contains(err.Error(), "is not a valid email address") {
			t.Errorf("local part of 65 characters: %v", err)
		}
	})
}

func TestValidateText_Empty(t *testing.T) {
	t.Run("OKOptional", func(t *testing.T) {
		if got, err := ValidateText("company_name", "   ", 0, 10); err != nil || got != "" {
			t.Fatalf("optional empty text = %q, %v", got, err)
		}
	})
	t.Run("ErrRequired", func(t *testing.T) {
		_, err := ValidateText("full_name", " ", 2, MaxNameLen)
		if FieldOf(err) != "full_name" || !strings.Contains(err.Error(), "is required") {
			t.Fatalf("empty required text: %v, want \"is required\"", err)
		}
	})
}

func TestValidateNotes_Control(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, in := range []string{"line one\r\nline two", "a\ttab", "lf\nonly"} {
			if got, err := ValidateNotes(in); err != nil || got != in {
				t.Errorf("ValidateNotes(%q) = %q, %v", in, got, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{"bell\a", "nul\x00byte", "esc\x1b[31m", "del\x7f"} {
			if _, err := ValidateNotes(in); FieldOf(err) != "notes" {
				t.Errorf("ValidateNotes(%q) = %v, want invalid notes", in, err)
			}
		}
	})
}

func TestValidatePassword_Edges(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, pw := range []string{
			"Abcdef1!",                           // 8 characters
			"Aa1!" + strings.Repeat("x", 124),    // 128 characters
			"Correct horse 9B",                   // spaces are its symbols
			"Été-2026 à Paris",                   // accented letters
			"Пароль-2026",                        // no Latin letter at all
			"Aa1" + strings.Repeat("€", 5) + "x", // a currency sign is a symbol
		} {
			if err := ValidatePassword(pw, "ada@epicevents.com"); err != nil {
				t.Errorf("ValidatePassword(%q): %v", pw, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, pw := range []string{
			"Abcde1!",                         // 7 characters
			"Aa1!" + strings.Repeat("x", 125), // 129 characters
			"Abcdefg1中",                       // a letter without case is not a symbol
		} {
			if err := ValidatePassword(pw, "ada@epicevents.com"); FieldOf(err) != "password" {
				t.Errorf("ValidatePassword(%q) = %v, want invalid password", pw, err)
			}
		}
	})
}

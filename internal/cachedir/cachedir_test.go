package cachedir

import (
	"errors"
	"testing"
)

func TestBase(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache"},
		{map[string]string{"HOME": "/h"}, "/h/.cache"},
	} {
		got, err := Base(func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("Base(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := Base(func(string) string { return "" }); !errors.Is(err, ErrNoHome) {
		t.Errorf("nothing set: %v, want ErrNoHome", err)
	}
}

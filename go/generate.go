package nuvera

//go:generate go run ./internal/gencodes ../testdata/error-codes.json codes.go

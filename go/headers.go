package nuvera

/*
#include <stdlib.h>
#include "nuvera_signing.h"
*/
import "C"

import "net/http"

// cHeaders is a C array of headers (C strings in a Go slice, which holds no Go pointer); free
// releases the strings.
type cHeaders struct {
	list []C.nuvera_header
}

func newCHeaders(h http.Header) *cHeaders {
	c := &cHeaders{}
	for name, values := range h {
		for _, v := range values {
			c.list = append(c.list, C.nuvera_header{name: cstr(name), value: cstr(v)})
		}
	}
	return c
}

func newCHeaderPairs(pairs [][2]string) *cHeaders {
	c := &cHeaders{}
	for _, p := range pairs {
		c.list = append(c.list, C.nuvera_header{name: cstr(p[0]), value: cstr(p[1])})
	}
	return c
}

func (c *cHeaders) ptr() *C.nuvera_header {
	if len(c.list) == 0 {
		return nil
	}
	return &c.list[0]
}

func (c *cHeaders) count() C.size_t { return C.size_t(len(c.list)) }

func (c *cHeaders) free() {
	for _, h := range c.list {
		free(h.name)
		free(h.value)
	}
	c.list = nil
}

# The task runner: one target per layer, each running that layer's script in scripts/ (the one
# place its steps live). `make test` is `bash scripts/test`, the whole suite CI runs.
.PHONY: help test testdata rust c go php python java node tools count-lines mock-server-start mock-server-stop

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

test: ## every layer, in CI's order (bash scripts/test)
	bash scripts/test

testdata: ## testdata/ equals ../shared (vectors, keys)
	bash scripts/check-testdata

rust: ## fmt, clippy and cargo test, both crypto backends
	bash scripts/test-rust

c: ## the C library: header check, C test under valgrind, install, libcurl example
	bash scripts/test-c

go: ## the Go module: go vet, go test -race, a short fuzz run
	bash scripts/test-go

php: ## the PHP package: PHPUnit over FFI, the Guzzle middleware, the php-fpm set-up
	bash scripts/test-php

python: ## the Python wheel: build, pytest, mypy --strict
	bash scripts/test-python

java: ## the Java jar: mvn -B verify, the example
	bash scripts/test-java

node: ## the Node package: build, node --test
	bash scripts/test-node

tools: ## install what the tests need beyond the base toolchains (cbindgen, valgrind, …)
	bash scripts/install-tools

count-lines: ## hand-written non-test lines per binding, and the total
	bash scripts/count-lines

mock-server-start: ## start the mock server; writes target/mock-server.env
	bash scripts/mock-server start

mock-server-stop: ## stop it
	bash scripts/mock-server stop

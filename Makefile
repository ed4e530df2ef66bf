# Sunshine — the two commands: `make run` (the system with demo data) and `make test` (everything).
GO ?= go

.PHONY: run test ui bench fuzz build clean

run: ui
	$(GO) run ./cmd/sunshine serve --demo small

test:
	scripts/test.sh

ui: web/node_modules
	cd web && npm run build

web/node_modules: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch web/node_modules

build: ui
	$(GO) build -o bin/sunshine ./cmd/sunshine

bench:
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh 30s

clean:
	rm -rf bin web/dist/assets web/dist/index.html

# Pouet: `make run` serves a local instance, `make test` runs the whole suite.
# The logic lives in scripts/ so it can be read and run without make.

.PHONY: help run test lint

help:
	@echo "make run    set up (first time) and serve http://localhost:$${PORT:-8000}"
	@echo "make test   install the test tools (Chromium too) and run the whole suite"
	@echo "            (extra pytest arguments: make test ARGS='-k journey -x')"
	@echo "make lint   ruff check"
	@echo "make bench  the benchmarks on PostgreSQL + Redis (bench/README.md)"

run:
	@scripts/run

test:
	@scripts/test $(ARGS)

lint:
	@scripts/lint

# The benchmark suite on PostgreSQL + Redis (bench/README.md): make bench ARGS=--quick
.PHONY: bench
bench:
	@bench/run $(ARGS)

# Reprise: the two commands are `make run` and `make test` (README.md). The logic lives in
# scripts/*.sh so that it can be read and run on its own.
# Debian images keep the Swift toolchain in /opt/swift.
export PATH := $(PATH):/opt/swift/usr/bin

.PHONY: run test e2e unit reliability deps build release bench bench-smoke bench-soak bench-streams fuzz venv clean distclean help

help:
	@echo "make run          install what is missing, start Redis if none answers, build, serve config/reprise.yaml"
	@echo "make test         every test: swift test, bench smoke, end-to-end with the real replicate clients"
	@echo "make unit         swift test only (with a throwaway Redis)"
	@echo "make e2e          end-to-end suite only (release build + venvs + pytest)"
	@echo "make reliability  long reliability scenarios (~15 min: Redis outage, faults, abuse, signals, soak, valgrind);"
	@echo "                  rewrites the figures in docs/reliability.md (make test runs the short versions)"
	@echo "make build        debug build"
	@echo "make release      release build (.build/release/reprise, .build/release/fake-replicate)"
	@echo "make bench        benchmark vs nginx, writes BENCHMARKS.md (BENCH_ARGS='--duration 30 --rounds 3')"
	@echo "make bench-soak   60 s of wrk at 64 connections against reprise, RSS sampled every second"
	@echo "make bench-streams 10,000 SSE streams open at once through reprise and nginx, RSS while open"
	@echo "make bench-smoke  a few seconds of the harness (output to a temp file); part of make test"
	@echo "make fuzz         libFuzzer + ASan targets in Tests/Fuzz, 1,000,000 runs each (FUZZ_RUNS=...)"
	@echo "make deps         install missing Debian packages;  make venv: the e2e venvs"
	@echo "make clean        remove build outputs and temp files;  make distclean: also the venvs"

run:
	scripts/run.sh

test:
	scripts/test.sh

unit:
	scripts/test.sh unit

e2e:
	scripts/test.sh e2e

reliability:
	scripts/reliability.sh long

deps:
	scripts/install-deps.sh all

build:
	scripts/install-deps.sh build
	swift build

release:
	scripts/install-deps.sh build
	swift build -c release

venv:
	scripts/venv.sh

bench:
	scripts/bench.sh compare $(BENCH_ARGS)

bench-soak:
	scripts/bench.sh soak $(BENCH_ARGS)

bench-streams:
	scripts/bench.sh streams $(BENCH_ARGS)

bench-smoke:
	scripts/bench.sh smoke $(BENCH_ARGS)

fuzz:
	scripts/fuzz.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build .tmp bench/results Tests/Fuzz/.build

distclean: clean
	rm -rf .venv .venv-next

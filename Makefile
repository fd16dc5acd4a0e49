# Epic Events CRM — build, run and test on Debian/Ubuntu.
#
#   make run    install missing system packages, build, open the window
#   make test   install what the tests need, then go vet + go test -race over everything
#
# System packages are installed with apt-get when run as root; otherwise the one
# "sudo apt-get install …" line needed is printed.

GO        ?= go
BIN       := bin/epicevents
TAGS      := migrated_fynedo
BUILD_PKGS := gcc libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PKGS  := $(BUILD_PKGS) xvfb xauth xdotool strace etcd-server etcd-client
SHOT_PKGS  := $(TEST_PKGS) imagemagick

.PHONY: all build run test vet deps-build deps-test deps-shots check-go clean screenshots package soak fuzz bench bench-1m \
        norace mutate

all: build

# install_pkgs installs the Debian packages of $(1) that are missing.
define install_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages. Run:"; echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

check-go:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/doc/install"; exit 1; }

deps-build: check-go
	$(call install_pkgs,$(BUILD_PKGS))

deps-test: check-go
	$(call install_pkgs,$(TEST_PKGS))

deps-shots: check-go
	$(call install_pkgs,$(SHOT_PKGS))

build: deps-build
	$(GO) build -tags $(TAGS) -o $(BIN) .

# run opens the window on the default database ($$EPICEVENTS_HOME, else ~/.config/epicevents).
run: build
	./$(BIN)

vet: check-go
	$(GO) vet ./...

# test runs every test under the race detector (the kill test does 100 kills, the damage test
# 240 mutated databases, the smoke test drives the real window under Xvfb, the durability test
# traces a writer's syncs with strace, which it requires here rather than skipping), then the
# tests that skip under -race without it (norace), then each fuzz target for 10,000 inputs (a
# count, not a duration: with a cold build cache, a short -fuzztime can expire while the seed
# corpus is still being measured).
test: deps-test vet
	EPICEVENTS_REQUIRE_STRACE=1 $(GO) test -race -timeout 40m ./...
	$(MAKE) --no-print-directory norace
	$(MAKE) --no-print-directory fuzz FUZZTIME=10000x

# norace runs, without the race detector, the tests that skip under it (they check
# "raceBuild"): each must pass, not skip.
NORACE_TESTS := ui:TestClients_LargeVolume
norace: check-go
	@for t in $(NORACE_TESTS); do pkg=$${t%%:*}; name=$${t##*:}; echo "== $$pkg $$name (without -race)"; \
	  out=$$($(GO) test -count=1 -v -run "^$$name$$" ./$$pkg 2>&1); code=$$?; echo "$$out" | tail -n 5; \
	  [ $$code = 0 ] || exit 1; \
	  echo "$$out" | grep -q -- "--- PASS: $$name " || { echo "$$name did not run"; exit 1; }; done

# bench runs the store's benchmarks and the same queries on SQLite (bench/, its own module) and
# prints them side by side with the goals; bench-1m does it at 1,000,000 records (the first
# run generates the databases in $$TMPDIR: a few minutes).
bench: check-go
	cd bench && $(GO) run ./cmd/compare -scale 100k -count 5

bench-1m: check-go
	cd bench && $(GO) run ./cmd/compare -scale 1m -count 5

# soak kills the writing process 2,000 times instead of 100.
soak: check-go
	EPICEVENTS_SOAK_KILLS=2000 $(GO) test -count=1 -timeout 60m -run '^TestCrash_Kill$$' -v ./storage

# fuzz runs each fuzz target for FUZZTIME (go test -fuzz takes one target per run).
FUZZTIME ?= 30s
FUZZ_TARGETS := core:FuzzValidateEmail core:FuzzValidatePhone core:FuzzParseAmount core:FuzzValidateName \
                core:FuzzValidateSchedule core:FuzzResume storage:FuzzDecodeClient storage:FuzzDecodeRecords \
                cli:FuzzExportCSV cli:FuzzParseTime
fuzz: check-go
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; echo "== fuzz $$pkg $$name ($(FUZZTIME))"; \
	  $(GO) test -short -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; done

# mutate runs the mutation tester gremlins over the Go lines changed since BASE (default
# origin/main, else main; BASE=<ref> to choose) in core, permissions and storage: each mutant
# (a flipped comparison, an operator changed…) must make the package's tests fail. It prints
# each package's killed, lived and not covered mutants and its efficacy (killed / (killed +
# lived)). Too slow for make test (each mutant reruns the package's tests): run it before
# resolving an issue and quote its figures. A package without changed code is skipped (gremlins
# would otherwise mutate all of it). gremlins runs inside the package's directory with git's
# diff.relative, so that the diff's file names match its own (it names files relative to the
# directory it mutates), and with -count=1: its time-out per mutant is a multiple of the time of its
# coverage run, which a cached test result would make a second.
GREMLINS    := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_PKGS := core permissions storage
BASE        ?= $(shell git rev-parse -q --verify origin/main >/dev/null && echo origin/main || echo main)
mutate: check-go
	@for p in $(MUTATE_PKGS); do \
	  changed=$$(git diff --merge-base $(BASE) --name-only -- "$$p" | grep '\.go$$' | grep -v '_test\.go$$'); \
	  if [ -z "$$changed" ]; then echo "== mutate $$p: no code changed since $(BASE)"; continue; fi; \
	  echo "== mutate $$p: lines changed since $(BASE) in" $$changed; \
	  (cd $$p && GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=diff.relative GIT_CONFIG_VALUE_0=true CGO_ENABLED=0 GOFLAGS=-count=1 \
	    $(GO) run $(GREMLINS) unleash --diff $(BASE) --workers 1 --timeout-coefficient 5 --output-statuses lctkv "$(CURDIR)/$$p") || exit 1; \
	done

# screenshots renders docs/screenshots/*.png from the real window under Xvfb, with demo data.
screenshots: deps-shots build
	BIN=$(BIN) tests/screenshots.sh docs/screenshots

# package builds the Linux desktop bundle (dist/epicevents-linux.tar.xz) with fyne package.
package: deps-build
	$(GO) build -tags $(TAGS) -ldflags "-s -w" -o $(BIN) .
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --os linux --exe $(BIN) --release
	mkdir -p dist && mv "Epic Events CRM.tar.xz" dist/epicevents-linux.tar.xz

clean:
	rm -rf bin dist

# Epic Events CRM — build, run and test on Debian/Ubuntu.
#
#   make run      install missing system packages, build, open the window
#   make test     install what the tests need, cross-check Windows and macOS (make cross),
#                 then go vet + go test -race over everything
#   make windows  cross-compile dist/epicevents-windows-amd64.zip (docs/INSTALL.md)
#
# System packages are installed with apt-get when run as root; otherwise the one
# "sudo apt-get install …" line needed is printed.

GO        ?= go
BIN       := bin/epicevents
TAGS      := migrated_fynedo
BUILD_PKGS := gcc libc6-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PKGS  := $(BUILD_PKGS) xvfb xauth xdotool strace etcd-server etcd-client imagemagick
SHOT_PKGS  := $(TEST_PKGS)
WIN_PKGS   := gcc-mingw-w64-x86-64 zip
# WIN_ENV cross-compiles for Windows with cgo (Fyne's GLFW driver needs it) through MinGW-w64.
WIN_ENV    := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc

.PHONY: all build run test vet deps-build deps-test deps-shots deps-windows check-go clean screenshots package soak fuzz \
        bench bench-1m norace mutate cross windows team-demo

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

deps-windows: check-go
	$(call install_pkgs,$(WIN_PKGS))

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
test: deps-test vet cross
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

# cross makes a change that breaks another system's build fail here, where only Linux runs
# (docs/INSTALL.md). Windows: go vet of every package, every test package compiled (those that
# open Fyne's GLFW driver with cgo and MinGW-w64, the others without cgo), and the release
# binary cross-built. macOS, whose cgo needs Apple's SDK: go vet of the packages without Fyne.
cross: deps-windows
	@echo "== windows: go vet ./..."
	@$(WIN_ENV) $(GO) vet ./...
	@set -e; out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; cgo=""; plain=""; \
	for p in $$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...); do \
	  if $(WIN_ENV) $(GO) list -deps -test $$p | grep -q '^github.com/go-gl/'; then cgo="$$cgo $$p"; else plain="$$plain $$p"; fi; \
	done; \
	echo "== windows: go test -c, without cgo:$$plain"; \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) test -c -o "$$out/" $$plain; \
	echo "== windows: go test -c, with cgo:$$cgo"; \
	$(WIN_ENV) $(GO) test -c -o "$$out/" $$cgo; \
	echo "== windows: go build -tags $(TAGS) -ldflags -H=windowsgui ."; \
	$(WIN_ENV) $(GO) build -tags $(TAGS) -ldflags -H=windowsgui -o "$$out/epicevents.exe" .
	@pkgs=$$($(GO) list -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' ./... | grep -v ' fyne.io/fyne/v2' | cut -d' ' -f1); \
	echo "== darwin: go vet" $$pkgs; \
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet $$pkgs

# windows cross-compiles dist/epicevents-windows-amd64.zip: epicevents.exe and README.txt.
# The .exe is a GUI-subsystem program (no console window behind the application; a command
# attaches to the shell's console, see cli/console/) with the icon, a manifest and the name and
# version of FyneApp.toml in its resources. go-winres writes them as a .syso that go build links
# in; fyne package is not used because it rewrites FyneApp.toml (Build+1) at every run and
# compiles with its own C flags, sharing no build cache with make cross. tests/pecheck checks
# the result. docs/INSTALL.md says what is and is not verified.
APP_NAME    = $(shell sed -n 's/^ *Name *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_VERSION = $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml).$(shell sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
WIN_DIR     := dist/windows
WIN_ZIP     := dist/epicevents-windows-amd64.zip
windows: deps-windows
	rm -rf $(WIN_DIR) $(WIN_ZIP) && mkdir -p $(WIN_DIR)
	$(GO) run github.com/tc-hib/go-winres@v0.3.3 simply --arch amd64 --out rsrc --icon assets/icon.png \
	  --manifest gui --product-name "$(APP_NAME)" --file-description "$(APP_NAME)" \
	  --original-filename epicevents.exe --product-version $(APP_VERSION) --file-version $(APP_VERSION)
	$(WIN_ENV) $(GO) build -tags $(TAGS) -ldflags "-H=windowsgui -s -w" -o $(WIN_DIR)/epicevents.exe .; \
	  status=$$?; rm -f rsrc_windows_amd64.syso; exit $$status
	$(GO) run ./tests/pecheck -version $(APP_VERSION) $(WIN_DIR)/epicevents.exe
	sed 's/$$/\r/' assets/windows/README.txt > $(WIN_DIR)/README.txt
	cd $(WIN_DIR) && zip -9 -X -q ../$(notdir $(WIN_ZIP)) epicevents.exe README.txt
	@ls -l $(WIN_ZIP)

# bench runs the store's benchmarks and the same queries on SQLite (bench/, its own module) and
# prints them side by side with the goals; bench-1m does it at 1,000,000 records (the first
# run generates the databases in $$TMPDIR: a few minutes).
bench: check-go
	cd bench && $(GO) run ./cmd/compare -scale 100k -count 5

bench-1m: check-go
	cd bench && $(GO) run ./cmd/compare -scale 1m -count 5

# team-demo starts a 3-member etcd cluster on loopback (Debian's etcd, TLS, client certificates)
# and two laptops' data directories in one team, then prints how to open both (docs/TEAM.md);
# Ctrl-C stops the cluster.
team-demo: deps-test build
	$(GO) run ./tests/teamdemo -bin $(BIN)

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
	rm -rf bin dist rsrc_windows_amd64.syso
